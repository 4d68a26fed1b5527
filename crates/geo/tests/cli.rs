//! `hakobu-geocode` from the outside: lines in, JSON lines out, errors per line.

use std::io::Write;
use std::process::{Command, Stdio};

const DATA: &str = "#hakobu-geo gazetteer 1
P\t東京都\t35689500\t139691700
C\t0\t港区\t35658100\t139751600
T\t0\t赤坂一丁目\t\t35668589\t139742334
Z\t1070052\t0\t赤坂\t35669800\t139741300
";

fn run(args: &[&str], input: &str) -> Vec<serde_json::Value> {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("g.tsv");
    std::fs::write(&data, DATA).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hakobu-geocode"))
        .args(args)
        .arg("--data")
        .arg(&data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn addresses_in_json_lines_out() {
    let out = run(&[], "港区赤坂1-2-3 ビル\n\nどこか\n");
    assert_eq!(out.len(), 2, "blank lines are skipped");
    assert_eq!(out[0]["level"], "chome");
    assert_eq!(out[0]["town"], "赤坂一丁目");
    assert_eq!(out[0]["prefecture"], "東京都");
    assert_eq!(out[0]["rest"], "2-3 ビル");
    assert!((out[0]["lat"].as_f64().unwrap() - 35.668589).abs() < 1e-9);
    assert_eq!(out[1]["input"], "どこか");
    assert!(out[1]["error"].as_str().unwrap().starts_with("address:"));
}

#[test]
fn postal_mode() {
    let out = run(&["--postal"], "107-0052\n1234\n");
    assert_eq!(out[0]["city"], "港区");
    assert_eq!(out[0]["towns"], serde_json::json!(["赤坂"]));
    assert!(out[1]["error"].as_str().unwrap().contains("7 digits"));
}

#[test]
fn a_missing_data_file_fails_with_a_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_hakobu-geocode"))
        .args(["--data", "/nonexistent/g.tsv"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("make data"));
}
