//! The reports as programs read them: JSON and CSV read back with strict readers, the
//! properties `ConvertFrom-Json` and `Import-Csv` would produce, names as printed.
#![cfg(unix)]

use crate::common::{json, read_csv, TestEnv};
use serde_json::Value;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Names are shown as printed: one backslash in `CONTOSO\svc_backup`, in every format.
#[test]
fn domain_names_keep_a_single_backslash() {
    let env = TestEnv::new("backslash");
    env.fake_query("en-2019-mixed.txt", 0);
    for format in ["table", "csv"] {
        let out = env.run(&["-n", "--exclude-user", r"CONTOSO\svc_*", "--format", format]);
        assert_eq!(out.status.code(), Some(0));
        let text = stdout(&out);
        assert!(
            text.contains(r"user matches exclusion "),
            "{format}: {text}"
        );
        assert!(text.contains(r"CONTOSO\svc_*"), "{format}: {text}");
        assert!(!text.contains(r"\\"), "{format}: {text}");
    }
}

/// What `ConvertFrom-Json` would make of the report: the top-level properties, one shape for
/// every session, integer IDs, RFC 3339 times, the summary and the exit code's bits.
#[test]
fn json_report_has_version_times_summary_and_named_exit_bits() {
    let env = TestEnv::new("json");
    env.fake_query("en-2019-mixed.txt", 0);
    env.fake_logoff("5) echo 'Error [5]:Access is denied.' >&2; exit 1 ;;");
    let out = env.run(&["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    let mut keys: Vec<&str> = report
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "errors",
            "exit_code",
            "finished",
            "mode",
            "sessions",
            "started",
            "summary",
            "version",
            "warnings"
        ]
    );
    assert_eq!(report["version"], env!("CARGO_PKG_VERSION"));
    let started = humantime::parse_rfc3339(report["started"].as_str().unwrap()).unwrap();
    let finished = humantime::parse_rfc3339(report["finished"].as_str().unwrap()).unwrap();
    assert!(started <= finished);
    assert_eq!(report["mode"], "act");
    let sessions = report["sessions"].as_array().unwrap();
    let shape: Vec<&String> = sessions[0].as_object().unwrap().keys().collect();
    for s in sessions {
        assert_eq!(s.as_object().unwrap().keys().collect::<Vec<_>>(), shape);
        assert!(s["id"].is_u64(), "{s}");
    }
    let total = &report["summary"]["total"];
    assert_eq!(total["servers"], 1);
    assert_eq!(total["planned"], 4);
    assert_eq!(total["logged_off"], 3);
    assert_eq!(total["failed"], 1);
    assert_eq!(total["skipped"]["no_user"], 1);
    assert_eq!(total["skipped"]["listener"], 1);
    assert_eq!(total["skipped"]["own_session"], 1);
    assert_eq!(report["summary"]["servers"][0]["server"], "localhost");
    assert_eq!(report["summary"]["servers"][0]["failed"], 1);
    assert_eq!(
        report["exit_code"],
        serde_json::json!({"code": 1, "bits": ["logoff_failed"]})
    );
}

/// `--output` with JSON: plain UTF-8 (no BOM), the same report.
#[test]
fn json_output_file_has_no_bom() {
    let env = TestEnv::new("jsonfile");
    let path = env.dir.join("report.json");
    let input = crate::common::fixtures().join("en-2019-mixed.txt");
    let out = env.run(&[
        "--input",
        input.to_str().unwrap(),
        "--format",
        "json",
        "--output",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes[0], b'{');
    let report: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(report["sessions"].as_array().unwrap().len(), 8);
}

/// Non-ASCII names from a CP850 capture reach CSV (stdout, no BOM) and JSON as the same UTF-8
/// text; IDs stay numbers; CURRENT is yes/no.
#[test]
fn non_ascii_names_survive_csv_and_json() {
    let input = crate::common::fixtures().join("de-cp850.txt");
    let args = |format| {
        crate::common::run(&[
            "--input",
            input.to_str().unwrap(),
            "--codepage",
            "850",
            "--format",
            format,
        ])
    };
    let out = args("csv");
    assert_eq!(out.status.code(), Some(0));
    assert!(!out.stdout.starts_with(b"\xEF\xBB\xBF"), "no BOM on stdout");
    let (header, rows) = read_csv(&out.stdout);
    assert_eq!(header[3], "USER");
    let users: Vec<(u32, String, String)> = rows
        .iter()
        .map(|r| (r[1].parse().unwrap(), r[3].to_string(), r[2].to_string()))
        .collect();
    assert!(
        users.contains(&(2, "Jürgen Müller".into(), "no".into())),
        "{users:?}"
    );
    assert!(
        users.contains(&(1, "Administrator".into(), "yes".into())),
        "{users:?}"
    );
    let report = json(&args("json"));
    let juergen = report["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == 2)
        .unwrap();
    assert_eq!(juergen["user"], "Jürgen Müller");
}

/// With `--idle-over`, the idle time from `query user` is in the report.
#[test]
fn idle_times_are_reported_when_known() {
    let env = TestEnv::new("idlecol");
    env.fake_query_sequence(&["en-2019-mixed.txt"], Some("quser-en-mixed.txt"));
    let out = env.run(&["-n", "--idle-over", "2h", "--format", "csv"]);
    // Session 1 is not listed by query user: its idle time is unknown, which sets bit 4.
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let (_, rows) = read_csv(&out.stdout);
    let idle = |id: &str| rows.iter().find(|r| &r[1] == id).unwrap()[10].to_string();
    assert_eq!(idle("3"), "5m");
    assert_eq!(idle("1"), "", "not listed by query user: unknown");
}
