//! What admins ask for, against fake `query` / `logoff` / `msg` / `eventcreate` scripts:
//! filters, idle time, warn → grace → re-check, many servers, the audit trail, CSV.
#![cfg(unix)]

mod common;

use common::{assert_lines, json, TestEnv};
use serde_json::Value;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn by_id<'a>(report: &'a Value, server: &str, id: u64) -> &'a Value {
    report["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["server"] == server && s["id"] == id)
        .unwrap_or_else(|| panic!("no session {id} on {server}"))
}

#[test]
fn state_filter_keeps_only_disconnected_sessions() {
    let env = TestEnv::new("state");
    env.fake_query("en-2019-mixed.txt", 0);
    env.fake_logoff("");
    let out = env.run(&["--state", "disc", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_lines(&["query session", "logoff 4", "logoff 6"], &env.calls());
    let report = json(&out);
    assert_eq!(
        by_id(&report, "localhost", 3)["reason_code"],
        "filtered_out"
    );
    assert!(by_id(&report, "localhost", 3)["reason"]
        .as_str()
        .unwrap()
        .contains("state active"));
}

#[test]
fn user_patterns_with_exclusions_winning_and_an_exclude_file() {
    let env = TestEnv::new("users");
    env.fake_query("en-2019-mixed.txt", 0);
    env.fake_logoff("");
    let exclude = env.dir.join("keep.txt");
    std::fs::write(&exclude, "# service accounts stay\nCONTOSO\\svc_*\n\n").unwrap();
    let out = env.run(&[
        "--user",
        "*o*",
        "--user",
        "alice",
        "--exclude-user",
        "J.DOE-*",
        "--exclude-file",
        exclude.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // alice (--user), bob (*o*); j.doe-smith and svc_backup are excluded though they match *o*.
    assert_lines(&["query session", "logoff 3", "logoff 4"], &env.calls());
}

#[test]
fn a_bad_exclude_file_line_is_a_usage_error_with_its_place() {
    let env = TestEnv::new("badexclude");
    let exclude = env.dir.join("keep.txt");
    std::fs::write(&exclude, "admin\nCONTOSO\\\n").unwrap();
    let out = env.run(&["--exclude-file", exclude.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("keep.txt:2"), "{}", stderr(&out));
    assert!(env.calls().is_empty());
}

#[test]
fn idle_over_uses_query_user_and_fails_closed_on_absurd_values() {
    let env = TestEnv::new("idle");
    env.fake_query_sequence(&["en-2019-mixed.txt"], Some("quser-en-mixed.txt"));
    env.fake_logoff("");
    let out = env.run(&["--idle-over", "2h", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_lines(
        &["query session", "query user", "logoff 4", "logoff 5"],
        &env.calls(),
    );
    let report = json(&out);
    let alice = by_id(&report, "localhost", 3);
    assert_eq!(alice["reason_code"], "filtered_out");
    assert!(alice["reason"]
        .as_str()
        .unwrap()
        .contains("idle 5m is not over"));
    let svc = by_id(&report, "localhost", 6);
    assert!(svc["reason"].as_str().unwrap().contains("absurd"), "{svc}");
}

#[test]
fn no_user_exists_means_nobody_is_idle_long_enough() {
    let env = TestEnv::new("nouser");
    env.fake_query_sequence(&["en-2019-mixed.txt"], None);
    env.fake_logoff("");
    let out = env.run(&["--idle-over", "1m", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_lines(&["query session", "query user"], &env.calls());
    let reason = by_id(&json(&out), "localhost", 4)["reason"].clone();
    assert!(reason
        .as_str()
        .unwrap()
        .contains("not listed by query user"));
}

/// The table changes during the grace period: 3 logs off by itself, 4 is now mallory's (ID
/// reuse), 6 reconnected. Only 5 and 6 may be logged off; with --state disc only none.
#[test]
fn warn_then_grace_then_recheck_handles_gone_and_reused_ids() {
    let env = TestEnv::new("warn");
    env.fake_query_sequence(&["en-2019-mixed.txt", "en-2019-mixed-later.txt"], None);
    env.fake_logoff("");
    env.fake_tool("msg", "5) echo 'Error 1722 sending message' >&2; exit 1 ;;");
    let out = env.run(&[
        "--warn",
        "Save your work: logging off in 1 second",
        "--grace",
        "1s",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_lines(
        &[
            "query session",
            "msg 3 /time:1 Save your work: logging off in 1 second",
            "msg 5 /time:1 Save your work: logging off in 1 second",
            "query session",
            "logoff 5",
            "logoff 6",
        ],
        &env.calls(),
    );
    let report = json(&out);
    let s = |id| by_id(&report, "localhost", id).clone();
    assert_eq!(s(3)["outcome"], "already_gone");
    assert_eq!(s(3)["warning"], "sent");
    assert_eq!(s(4)["action"], "skip");
    assert_eq!(s(4)["reason_code"], "id_reused");
    assert!(s(4)["reason"].as_str().unwrap().contains("mallory"));
    assert_eq!(s(4)["warning"], "not_active");
    assert_eq!(s(5)["warning"], "failed");
    assert_eq!(s(5)["outcome"], "logged_off");
    assert_eq!(s(6)["outcome"], "logged_off");
    assert!(stderr(&out).contains("grace period over"));

    // Same change with --state disc: 6 is active now, so it no longer matches.
    let env = TestEnv::new("warn-state");
    env.fake_query_sequence(&["en-2019-mixed.txt", "en-2019-mixed-later.txt"], None);
    env.fake_logoff("");
    env.fake_tool("msg", "");
    let out = env.run(&[
        "--state", "disc", "--warn", "bye", "--grace", "1s", "--format", "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_lines(&["query session", "query session"], &env.calls());
    let report = json(&out);
    assert_eq!(
        by_id(&report, "localhost", 6)["reason_code"],
        "no_longer_matches"
    );
    assert_eq!(by_id(&report, "localhost", 4)["reason_code"], "id_reused");
}

#[test]
fn a_failed_recheck_logs_off_nobody_on_that_server() {
    let env = TestEnv::new("recheckfail");
    env.fake_query_sequence(&["en-2019-mixed.txt", "garbage-binary.txt"], None);
    env.fake_logoff("");
    env.fake_tool("msg", "");
    let out = env.run(&["--warn", "bye", "--grace", "1s", "--format", "json"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let calls = env.calls();
    assert!(calls.iter().all(|c| !c.starts_with("logoff")), "{calls:?}");
    let report = json(&out);
    assert!(report["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("re-check"));
    assert_eq!(by_id(&report, "localhost", 3)["outcome"], "not_run");
}

/// Three servers, the second unreachable: the others are done, the report groups by server,
/// the exit code is the worst (query failed).
#[test]
fn many_servers_one_unreachable_the_rest_go_on() {
    for jobs in ["1", "3"] {
        let env = TestEnv::new("servers");
        let log = env.dir.join("calls.log");
        let mixed = common::fixtures().join("en-2019-console-user.txt");
        env.script(
            "query",
            &format!(
                "echo \"query $*\" >> '{}'\ncase \"$2\" in\n\
                 /server:ts02) echo 'Error [1722]:The RPC server is unavailable.' >&2; exit 1 ;;\n\
                 *) cat '{}' ;;\nesac",
                log.display(),
                mixed.display()
            ),
        );
        env.fake_logoff("");
        let servers = env.dir.join("servers.txt");
        std::fs::write(&servers, "ts02   # the sick one\n\nts03\n").unwrap();
        let out = env.run(&[
            "--server",
            "ts01",
            "--servers-file",
            servers.to_str().unwrap(),
            "--jobs",
            jobs,
            "--format",
            "json",
        ]);
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
        let mut calls = env.calls();
        calls.sort();
        assert_lines(
            &[
                "logoff 2 /server:ts01",
                "logoff 2 /server:ts03",
                "query session /server:ts01",
                "query session /server:ts02",
                "query session /server:ts03",
            ],
            &calls,
        );
        let report = json(&out);
        assert_eq!(report["errors"].as_array().unwrap().len(), 1);
        assert_eq!(report["errors"][0]["server"], "ts02");
        assert!(report["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("RPC server"));
        let servers: Vec<&str> = report["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["server"].as_str().unwrap())
            .collect();
        assert_eq!(
            servers,
            ["ts01", "ts01", "ts01", "ts01", "ts03", "ts03", "ts03", "ts03"]
        );
        assert_eq!(by_id(&report, "ts03", 2)["outcome"], "logged_off");
    }
}

#[test]
fn log_appends_one_json_line_per_decision_and_outcome() {
    let env = TestEnv::new("log");
    env.fake_query("en-2019-console-user.txt", 0);
    env.fake_logoff("");
    let log = env.dir.join("audit.log");
    std::fs::write(&log, "earlier line\n").unwrap();
    let out = env.run(&["--log", log.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&log).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("earlier line"), "never truncated");
    let records: Vec<Value> = lines.map(|l| serde_json::from_str(l).unwrap()).collect();
    let events: Vec<(&str, &Value, &str)> = records
        .iter()
        .map(|r| {
            (
                r["event"].as_str().unwrap(),
                &r["id"],
                r["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        events,
        [
            ("decision", &Value::from(0), "skip"),
            ("decision", &Value::from(1), "skip"),
            ("decision", &Value::from(2), "logoff"),
            ("decision", &Value::from(65536), "skip"),
            ("outcome", &Value::from(2), "logoff"),
        ]
    );
    let last = &records[4];
    assert_eq!(last["outcome"], "logged_off");
    assert_eq!(last["user"], "carol");
    assert_eq!(last["server"], "localhost");
    let time = last["time"].as_str().unwrap();
    assert!(
        time.len() == 20 && time.ends_with('Z') && time.as_bytes()[10] == b'T',
        "{time}"
    );
}

#[test]
fn a_log_that_cannot_be_opened_refuses_to_log_anyone_off() {
    let env = TestEnv::new("badlog");
    env.fake_query("en-2019-console-user.txt", 0);
    env.fake_logoff("");
    let out = env.run(&[
        "--log",
        env.dir.join("no/such/dir/audit.log").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot open --log"),
        "{}",
        stderr(&out)
    );
    assert!(env.calls().is_empty());
}

#[test]
fn event_log_writes_one_summary_per_server_and_its_failure_is_only_reported() {
    let env = TestEnv::new("event");
    env.fake_query("en-2019-mixed.txt", 0);
    env.fake_logoff("5) echo 'Error [5]:Access is denied.' >&2; exit 1 ;;");
    env.fake_tool("eventcreate", "");
    let out = env.run(&["--event-log"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let calls = env.calls();
    let event = calls.iter().find(|c| c.starts_with("eventcreate")).unwrap();
    assert!(
        event.starts_with("eventcreate /l APPLICATION /so logoff-all /t WARNING /id 2 /d localhost: 3 logged off, 1 failed"),
        "{event}"
    );

    let env = TestEnv::new("event-fail");
    env.fake_query("en-2019-console-user.txt", 0);
    env.fake_logoff("");
    env.fake_tool(
        "eventcreate",
        "*) echo 'ERROR: Access denied.' >&2; exit 1 ;;",
    );
    let out = env.run(&["--event-log", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json(&out);
    assert!(report["warnings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("event log not written"));
    assert!(env
        .calls()
        .iter()
        .any(|c| c.starts_with("eventcreate /l APPLICATION /so logoff-all /t INFORMATION /id 1")));
}

#[test]
fn csv_has_the_table_columns_and_quotes_what_needs_it() {
    let out = common::run(&[
        "--input",
        "fixtures/en-names-with-spaces.txt",
        "--format",
        "csv",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[0], "SERVER,ID,USER,SESSION,STATE,ACTION,REASON");
    assert_eq!(
        lines[1],
        "localhost,1,John Smith,rdp-tcp#1,Active,would log off,user session"
    );
    assert_eq!(
        lines[2],
        "localhost,2,svc sql 2,,Disc,would log off,user session"
    );
    assert_eq!(
        lines[4],
        "localhost,>4,admin,rdp-tcp#4,Active,skip,your own session; add --include-self to log it off last"
    );
    // An unknown state word blocks only a --state filter (issue 10); its reason quotes it.
    let out = common::run(&[
        "--input",
        "fixtures/en-truncated-garbage.txt",
        "--format",
        "csv",
        "--state",
        "active",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("localhost,2,bob,rdp-tcp#2,Zombie,skip,\"unknown state word \"\"Zombie\"\"; it matches no --state\"\r\n"),
        "{text}"
    );
}

/// A log that opens but cannot be written (a full disk): the decisions cannot be recorded, so
/// nobody is logged off.
#[test]
fn a_log_that_cannot_be_written_refuses_to_log_anyone_off() {
    let env = TestEnv::new("fulllog");
    env.fake_query("en-2019-console-user.txt", 0);
    env.fake_logoff("");
    let out = env.run(&["--log", "/dev/full"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot write --log /dev/full"),
        "{}",
        stderr(&out)
    );
    assert_lines(&["query session"], &env.calls());
}
