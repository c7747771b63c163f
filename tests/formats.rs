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

/// Both CSVs as a strict reader and PowerShell read them: `[int]` on ID and IDLE_MINUTES,
/// `[datetime]` on LOGON_ISO (ISO 8601, or empty), CURRENT yes or no. `--list` used to write
/// `>2` in the ID column (`[int]$_.ID` threw) and had no CURRENT column; neither CSV had a
/// numeric idle time.
#[test]
fn both_csvs_read_back_with_typed_id_idle_minutes_and_logon_iso() {
    let users = crate::common::fixtures().join("quser-en-mixed.txt");
    let sessions = crate::common::fixtures().join("en-2019-mixed.txt");
    let (users, sessions) = (users.to_str().unwrap(), sessions.to_str().unwrap());
    let env = TestEnv::new("csv-typed");
    for extra in [&["--list"][..], &["--idle-over", "1m"]] {
        let mut args = vec![
            "--input",
            sessions,
            "--input-user",
            users,
            "--format",
            "csv",
        ];
        args.extend_from_slice(extra);
        let out = env.run(&args);
        assert!(
            matches!(out.status.code(), Some(0 | 4)),
            "{extra:?}: {}",
            stderr(&out)
        );
        let (header, rows) = read_csv(&out.stdout);
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        let (id, current, minutes, iso) = (
            col("ID"),
            col("CURRENT"),
            col("IDLE_MINUTES"),
            col("LOGON_ISO"),
        );
        let mut dated = 0;
        for r in rows.iter().filter(|r| !r[id].is_empty()) {
            // [int]$_.ID and [int]$_.IDLE_MINUTES (an empty cell is $null, which [int] reads as 0).
            r[id]
                .parse::<u32>()
                .unwrap_or_else(|_| panic!("{extra:?}: ID {:?}", &r[id]));
            assert!(["yes", "no"].contains(&&r[current]), "{extra:?}: {r:?}");
            if !r[minutes].is_empty() {
                r[minutes].parse::<u64>().unwrap();
            }
            // [datetime]'2026-11-22T16:55:00': what DateTime.Parse reads in every culture.
            if !r[iso].is_empty() {
                let v = &r[iso];
                let ok = v.len() == 19
                    && v.char_indices().all(|(i, c)| match i {
                        4 | 7 => c == '-',
                        10 => c == 'T',
                        13 | 16 => c == ':',
                        _ => c.is_ascii_digit(),
                    });
                assert!(ok, "{extra:?}: LOGON_ISO {v:?}");
                dated += 1;
            }
        }
        assert!(dated >= 3, "{extra:?}");
        let bob = rows.iter().find(|r| &r[id] == "4").unwrap();
        assert_eq!(&bob[minutes], "1573", "{extra:?}");
        assert_eq!(&bob[iso], "2026-11-22T16:55:00", "{extra:?}");
        assert_eq!(&bob[col("IDLE")], "1d 2h 13m", "{extra:?}: one idle format");
        let own = rows.iter().find(|r| &r[id] == "2").unwrap();
        assert_eq!(&own[current], "yes", "{extra:?}");
        let svc = rows.iter().find(|r| &r[id] == "6").unwrap();
        assert_eq!(&svc[iso], "", "{extra:?}: 1601 is Windows' never");
        assert_eq!(&svc[minutes], "", "{extra:?}: absurd idle time");
    }
}

/// The plan fits 120 columns (it was 136 to 215 wide): a long reason is cut with an ellipsis in
/// the table and kept whole in JSON; rows with CJK names stay in line (a CJK character takes two
/// columns on a console).
#[test]
fn the_plan_fits_120_columns_and_wide_names_stay_in_line() {
    let env = TestEnv::new("layout");
    let capture = env.dir.join("cjk.txt");
    std::fs::write(
        &capture,
        " SESSIONNAME       USERNAME                 ID  STATE   TYPE        DEVICE\n\
         >rdp-tcp#1         张伟                      1  Active  rdpwd\n \
         rdp-tcp#2         alice                     2  Active  rdpwd\n \
         rdp-tcp#3         李娜娜                    3  Active  rdpwd\n",
    )
    .unwrap();
    let fixture = crate::common::fixtures().join("en-2019-mixed.txt");
    for input in [capture.to_str().unwrap(), fixture.to_str().unwrap()] {
        let out = env.run(&[
            "--input",
            input,
            "--user",
            "nobody-at-all-with-a-long-name*",
        ]);
        let text = stdout(&out);
        let table: Vec<&str> = text.lines().take_while(|l| !l.is_empty()).collect();
        let width = |l: &str| unicode_width::UnicodeWidthStr::width(l);
        for l in &table {
            assert!(width(l) <= 120, "{} columns: {l}", width(l));
        }
        // The STATE column starts at the same console column on every row.
        let state_at: Vec<usize> = table
            .iter()
            .map(|l| {
                let at = l.find(" Active").or_else(|| l.find(" STATE")).unwrap_or(0);
                width(&l[..at])
            })
            .filter(|&w| w > 0)
            .collect();
        if input.ends_with("cjk.txt") {
            assert_eq!(state_at.len(), 4, "{text}");
            assert!(state_at.windows(2).all(|w| w[0] == w[1]), "{text}");
        }
    }
}
