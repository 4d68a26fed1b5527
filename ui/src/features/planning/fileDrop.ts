// What a file dragged over the window does on the 計画 view: while over, the batch panel shows
// where it lands; dropped, the first file is imported (one batch at a time, so a second file
// dropped with it is named rather than silently left out).
import type { FileDrop } from '$lib/ipc/planning';

export interface DropOutcome {
  /** Whether the panel shows "drop to import". */
  dropping: boolean;
  /** The file to import, if this was the drop. */
  path: string | null;
  /** Files dropped with it and not imported. */
  ignored: string[];
}

export function dropOutcome(drop: FileDrop): DropOutcome {
  switch (drop.type) {
    case 'enter':
    case 'over':
      return { dropping: true, path: null, ignored: [] };
    case 'leave':
      return { dropping: false, path: null, ignored: [] };
    case 'drop': {
      const [first = null, ...rest] = drop.paths;
      return { dropping: false, path: first, ignored: rest };
    }
  }
}
