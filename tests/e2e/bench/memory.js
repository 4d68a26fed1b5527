// Memory of a running app for the benchmarks: the PSS of a process and every process under
// it (/proc/<pid>/smaps_rollup), and where one process's PSS lies (/proc/<pid>/smaps grouped
// by mapping: heap and anonymous memory, each library, each mapped file) to profile with.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

function children(pid) {
  try {
    return execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" }).split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** `pid` and its descendants. */
export function processTree(pid) {
  const all = [];
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    all.push(p);
    stack.push(...children(p));
  }
  return all;
}

/** PSS (kB) of `pid` and every descendant, with their anonymous and file-backed parts. */
export function pssTree(pid) {
  const rows = processTree(pid).map((p) => {
    try {
      const rollup = readFileSync(`/proc/${p}/smaps_rollup`, "utf8");
      const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(rollup)?.[1] ?? 0);
      const name = readFileSync(`/proc/${p}/comm`, "utf8").trim();
      return { pid: p, name, kb: field("Pss"), anonKb: field("Pss_Anon"), fileKb: field("Pss_File"), shmemKb: field("Pss_Shmem") };
    } catch {
      return { pid: p, name: "?", kb: 0, anonKb: 0, fileKb: 0, shmemKb: 0 };
    }
  });
  return rows.filter((r) => r.kb > 0);
}

/** MB per process name, summed (one web process, one network process, the app). */
export function byName(rows) {
  const out = {};
  for (const r of rows) out[r.name] = (out[r.name] ?? 0) + r.kb / 1024;
  return out;
}

export const totalMb = (rows) => rows.reduce((a, r) => a + r.kb, 0) / 1024;

/** One process's PSS by mapping (kB), largest first: `[heap]`, `anon`, a library's file name,
 *  a data file's path. For profiling, not for the tables. */
export function pssByMapping(pid, top = 15) {
  const text = readFileSync(`/proc/${pid}/smaps`, "utf8");
  const sums = new Map();
  let current = "anon";
  for (const line of text.split("\n")) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) {
      const name = head[1].trim();
      current = name === "" ? "anon" : name.startsWith("/") ? name.replace(/^.*\/(?=[^/]+$)/, "") : name;
      continue;
    }
    const pss = /^Pss:\s+(\d+) kB/.exec(line);
    if (pss) sums.set(current, (sums.get(current) ?? 0) + Number(pss[1]));
  }
  return [...sums.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
}
