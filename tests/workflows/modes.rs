//! --disconnect, --session-name, --list, --input-user, --unknown-idle and warnings that fit
//! the wait.

use super::{by_id, fixture, mixed, stderr, stdout};
use crate::common::{assert_calls, json, read_csv, TestEnv};
use serde_json::Value;
use std::time::{Duration, Instant};

#[test]
fn disconnect_runs_tsdiscon_and_skips_sessions_already_disconnected() {
    let env = mixed("disconnect", "enable", &[]);
    let out = env.run(&[
        "--disconnect",
        "--warn",
        "bye",
        "--grace",
        "1s",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_calls(
        &[
            "query session",
            "msg 3 /time:1 bye, disconnect in 1 second",
            "msg 5 /time:1 bye, disconnect in 1 second",
            "query session",
            "tsdiscon 3",
            "tsdiscon 5",
        ],
        &env.calls(),
    );
    let report = json(&out);
    assert_eq!(by_id(&report, 3)["action"], "disconnect");
    assert_eq!(by_id(&report, 3)["outcome"], "disconnected");
    assert_eq!(report["summary"]["total"]["disconnected"], 2);
    assert_eq!(report["summary"]["total"]["logged_off"], 0);
    assert_eq!(report["summary"]["total"]["outcomes"]["disconnected"], 2);
    assert_eq!(by_id(&report, 4)["reason_code"], "already_disconnected");
    assert_eq!(by_id(&report, 4)["reason"], "already disconnected");

    let env = mixed("disconnect-table", "enable", &[]);
    let out = env.run(&["--disconnect", "--dry-run", "--server", "TS01"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("would disconnect"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("2 would be disconnected"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn session_name_patterns_pick_sessions_and_never_match_a_blank_name() {
    let env = mixed("session-name", "enable", &[]);
    let out = env.run(&[
        "--session-name",
        "RDP-TCP#1",
        "--session-name",
        "ica-cgp#*",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The logoff, then the verification's look.
    assert_calls(
        &["query session", "logoff 3", "query session"],
        &env.calls(),
    );
    let report = json(&out);
    assert!(by_id(&report, 4)["reason"]
        .as_str()
        .unwrap()
        .contains("no session name"));
    assert!(by_id(&report, 5)["reason"]
        .as_str()
        .unwrap()
        .contains("rdp-tcp#5"));
}

#[test]
fn list_joins_query_user_and_logs_off_nobody() {
    let env = mixed("list", "enable", &[]);
    let out = env.run(&["--list", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_calls(&["query session", "query user"], &env.calls());
    let report = json(&out);
    assert_eq!(report["sessions"].as_array().unwrap().len(), 8);
    let bob = by_id(&report, 4);
    assert_eq!(bob["idle"], "1d 2h 13m");
    assert_eq!(bob["idle_raw"], "1+02:13");
    assert_eq!(bob["idle_seconds"], 1573 * 60);
    assert_eq!(bob["logon"], "11/22/2026 4:55 PM");
    let svc = by_id(&report, 6);
    assert_eq!(svc["idle_raw"], "24692+13:29");
    assert!(svc["idle"].is_null());
    assert!(svc["idle_error"].as_str().unwrap().contains("absurd"));
    assert_eq!(by_id(&report, 65536)["idle"], Value::Null);

    let out = env.run(&["--list", "-s", "TS01,TS02"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("SERVER  ID"), "{text}");
    assert!(text.contains("TS02    4"), "{text}");
    assert!(text.contains("1d 2h 13m  1+02:13"), "{text}");
    assert!(text.contains("TS01: 8 row(s), 5 with a user"), "{text}");
    assert!(env.calls().contains(&"query user /server:TS02".to_string()));
    assert!(env.calls().iter().all(|c| !c.starts_with("logoff")));

    let out = env.run(&["--list", "--format", "csv"]);
    let text = stdout(&out);
    assert!(text.starts_with(
        "SERVER,ID,CURRENT,USER,SESSION,STATE,IDLE,IDLE_MINUTES,IDLE_RAW,LOGON,LOGON_ISO,NOTE\r\n"
    ));
    assert!(
        text.contains(
            "localhost,4,no,bob,,Disc,1d 2h 13m,1573,1+02:13,11/22/2026 4:55 PM,\
             2026-11-22T16:55:00,\r\n"
        ),
        "{text}"
    );
}

#[test]
fn list_output_file_gets_the_csv_with_a_bom_and_stdout_stays_empty() {
    let env = mixed("list-output", "enable", &[]);
    let file = env.dir.join("inventory.csv");
    let path = file.display().to_string();
    let out = env.run(&["--list", "--format", "csv", "--output", &path]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "{}", stdout(&out));
    let bytes = std::fs::read(&file).unwrap();
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").expect("a UTF-8 BOM");
    let (header, rows) = read_csv(body);
    assert_eq!(header[9], "LOGON");
    let bob = rows.iter().find(|r| &r[1] == "4").unwrap();
    assert_eq!(&bob[9], "11/22/2026 4:55 PM");
    // Without --output, stdout has no BOM.
    let out = env.run(&["--list", "--format", "csv"]);
    assert!(out.stdout.starts_with(b"SERVER,"));
}

#[test]
fn list_refuses_flags_that_would_act_or_filter() {
    for flag in [
        &["--warn", "x"][..],
        &["--drain"],
        &["--user", "a"],
        &["--disconnect"],
    ] {
        let mut args = vec!["--list"];
        args.extend_from_slice(flag);
        let out = crate::common::run(&args);
        assert_eq!(out.status.code(), Some(16), "{args:?}");
    }
}

#[test]
fn input_user_previews_idle_over_offline() {
    let users = fixture("quser-en-mixed.txt");
    let sessions = fixture("en-2019-mixed.txt");
    let env = TestEnv::new("input-user");
    let out = env.run(&[
        "--input",
        &sessions,
        "--input-user",
        &users,
        "--idle-over",
        "2h",
        "--format",
        "json",
    ]);
    // Session 6's idle time is absurd: skipped, counted, exit code 4.
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(env.calls().is_empty());
    let report = json(&out);
    assert_eq!(by_id(&report, 4)["action"], "logoff");
    // One idle format in text, as --list and the dry run's note write it.
    assert_eq!(by_id(&report, 4)["idle"], "1d 2h 13m");
    assert_eq!(by_id(&report, 4)["idle_seconds"], 94_380);
    assert_eq!(by_id(&report, 4)["idle_minutes"], 1573);
    assert_eq!(by_id(&report, 4)["logon"], "11/22/2026 4:55 PM");
    assert_eq!(by_id(&report, 4)["logon_iso"], "2026-11-22T16:55:00");
    assert_eq!(by_id(&report, 6)["logon"], "1/1/1601 12:00 AM");
    assert!(
        by_id(&report, 6)["logon_iso"].is_null(),
        "1601 is Windows' never"
    );
    assert_eq!(by_id(&report, 5)["action"], "logoff");
    assert_eq!(by_id(&report, 3)["action"], "skip");
    assert_eq!(by_id(&report, 6)["action"], "skip");
    assert!(by_id(&report, 6)["reason"]
        .as_str()
        .unwrap()
        .contains("--unknown-idle logoff"));

    let out = env.run(&[
        "--input",
        &sessions,
        "--input-user",
        &users,
        "--idle-over",
        "2h",
    ]);
    let text = stdout(&out);
    assert!(
        text.contains("user session; idle 2h 30m, over 2h"),
        "{text}"
    );
    assert!(text.contains("1 with unreadable idle time"), "{text}");

    let out = env.run(&["--input", &sessions, "--input-user", &users, "--list"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("2:30"), "{}", stdout(&out));

    let out = env.run(&["--input", &sessions, "--idle-over", "2h"]);
    assert_eq!(out.status.code(), Some(16));
    assert!(stderr(&out).contains("--input-user"), "{}", stderr(&out));
}

#[test]
fn unknown_idle_logoff_acts_on_unreadable_rows_and_still_flags_them() {
    let env = mixed("unknown-idle", "enable", &[]);
    let out = env.run(&["--idle-over", "2h", "--unknown-idle", "logoff"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert_calls(
        &[
            "query session",
            "query user",
            "logoff 4",
            "logoff 5",
            "logoff 6",
            // The verification reads the table as the plan did.
            "query session",
            "query user",
        ],
        &env.calls(),
    );
    assert!(
        stdout(&out).contains("1 with unreadable idle time"),
        "{}",
        stdout(&out)
    );
    assert!(
        crate::common::run(&["--unknown-idle", "logoff"])
            .status
            .code()
            == Some(16)
    );
}

#[test]
fn nobody_warned_means_no_wait_and_says_why() {
    // Only disconnected sessions are targets: msg reaches active sessions only.
    let env = mixed("no-active", "enable", &[]);
    let started = Instant::now();
    let out = env.run(&["--state", "disc", "--warn", "bye", "--grace", "20s"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(15));
    assert!(stderr(&out).contains("none of the sessions to act on is active"));
    assert_calls(
        &[
            "query session",
            "query session",
            "logoff 4",
            "logoff 6",
            "query session",
        ],
        &env.calls(),
    );

    // Every msg fails: no wait, and the active sessions that were not warned are left alone
    // (not_warned, exit bit 1, naming the user); the disconnected ones, which no message can
    // reach, are logged off. With --even-if-unwarned the active ones go too.
    let env = mixed("msg-fails", "enable", &[]);
    env.fake_tool("msg", "*) echo 'Error 1722' >&2; exit 1 ;;");
    let started = Instant::now();
    let out = env.run(&["--warn", "bye", "--grace", "20s", "--format", "json"]);
    assert!(started.elapsed() < Duration::from_secs(15));
    assert!(
        stderr(&out).contains("every msg failed"),
        "{}",
        stderr(&out)
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!env.calls().contains(&"logoff 3".to_string()));
    assert!(env.calls().contains(&"logoff 4".to_string()));
    let alice = by_id(&json(&out), 3).clone();
    assert_eq!(alice["outcome"], "not_warned", "{alice}");
    assert!(
        alice["message"].as_str().unwrap().contains("alice"),
        "{alice}"
    );

    let env = mixed("msg-fails-anyway", "enable", &[]);
    env.fake_tool("msg", "*) echo 'Error 1722' >&2; exit 1 ;;");
    let out = env.run(&["--warn", "bye", "--grace", "20s", "--even-if-unwarned"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(env.calls().contains(&"logoff 3".to_string()));
}

#[test]
fn grace_placeholder_and_warn_exact_shape_the_message() {
    let env = mixed("placeholder", "enable", &[]);
    let out = env.run(&["--warn", "Maintenance: logoff in {grace}.", "--grace", "2s"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(env
        .calls()
        .contains(&"msg 3 /time:2 Maintenance: logoff in 2 seconds.".to_string()));

    let env = mixed("exact", "enable", &[]);
    let out = env.run(&["--warn", "Bye now", "--warn-exact", "--grace", "1s"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(env.calls().contains(&"msg 3 /time:1 Bye now".to_string()));
}

#[test]
fn list_reports_an_unreachable_server_and_lines_not_understood() {
    let env = TestEnv::new("list-bad");
    let log = env.dir.join("calls.log");
    env.script(
        "query",
        &format!(
            "echo \"query $*\" >> '{}'\ncase \"$2\" in\n\
             /server:ts02) echo 'Error [1722]:The RPC server is unavailable.' >&2; exit 1 ;;\n\
             esac\n\
             if [ \"$1\" = user ]; then echo 'No User exists for *' >&2; exit 1; fi\n\
             cat '{}'",
            log.display(),
            fixture("en-truncated-garbage.txt")
        ),
    );
    let out = env.run(&["--list", "-s", "ts01,ts02", "-j", "2", "--format", "json"]);
    // ts02 not queried (bit 2) and ts01's lines not understood (bit 4).
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["errors"][0]["server"], "ts02");
    let rows = report["sessions"].as_array().unwrap();
    assert!(rows.iter().all(|r| r["server"] == "ts01"));
    assert!(
        rows.iter().any(|r| r["not_understood"].is_string()),
        "{report}"
    );
    let alice = rows.iter().find(|r| r["user"] == "alice").unwrap();
    assert!(alice["idle_error"].as_str().unwrap().contains("not listed"));

    let out = env.run(&["--list", "-s", "ts01"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stdout(&out).contains("not understood"), "{}", stdout(&out));
}
