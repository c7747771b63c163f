//! What admins ask for, against fake `query` / `logoff` / `msg` / `eventcreate` scripts:
//! filters, idle time, warn → grace → re-check, many servers, the audit trail, CSV.
#![cfg(unix)]

mod audit;

use crate::common::{assert_calls, assert_lines, json, TestEnv};
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
    assert_calls(
        &["query session", "logoff 4", "logoff 6", "query session"],
        &env.calls(),
    );
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
        "--parallel",
        "1",
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
    assert_lines(
        &["query session", "logoff 3", "logoff 4", "query session"],
        &env.calls(),
    );
}

#[test]
fn a_bad_exclude_file_line_is_a_usage_error_with_its_place() {
    let env = TestEnv::new("badexclude");
    let exclude = env.dir.join("keep.txt");
    std::fs::write(&exclude, "admin\nCONTOSO\\\n").unwrap();
    let out = env.run(&["--exclude-file", exclude.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(16));
    assert!(stderr(&out).contains("keep.txt:2"), "{}", stderr(&out));
    assert!(env.calls().is_empty());
}

#[test]
fn idle_over_uses_query_user_and_fails_closed_on_absurd_values() {
    let env = TestEnv::new("idle");
    env.fake_query_sequence(&["en-2019-mixed.txt"], Some("quser-en-mixed.txt"));
    env.fake_logoff("");
    let out = env.run(&["--idle-over", "2h", "--format", "json"]);
    // Session 6's absurd idle time is skipped and flagged: exit code "not understood".
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert_calls(
        // The look that verifies the logoffs plans again, so it asks query user too.
        &[
            "query session",
            "query user",
            "logoff 4",
            "logoff 5",
            "query session",
            "query user",
        ],
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
    // Sessions missing from query user have an unknown idle time: skipped and flagged.
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert_calls(&["query session", "query user"], &env.calls());
    let reason = by_id(&json(&out), "localhost", 4)["reason"].clone();
    assert!(reason
        .as_str()
        .unwrap()
        .contains("not listed by query user"));
}

/// The table changes during the grace period: 3 logs off by itself, 4 is now mallory's (ID
/// reuse), 6 reconnected under a new session name. Only 5 is still the session that was
/// planned; the others are reported as what the re-check found, naming what it compared.
/// (5's message failed: `--even-if-unwarned` acts on it all the same.)
#[test]
fn warn_then_grace_then_recheck_handles_gone_and_reused_ids() {
    let env = TestEnv::new("warn");
    env.fake_query_sequence(&["en-2019-mixed.txt", "en-2019-mixed-later.txt"], None);
    env.fake_logoff("");
    env.fake_tool("msg", "5) echo 'Error 1722 sending message' >&2; exit 1 ;;");
    let out = env.run(&[
        "--warn",
        "Save your work: logging off in 1 second",
        "--warn-exact",
        "--even-if-unwarned",
        "--grace",
        "1s",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_calls(
        &[
            "query session",
            "msg 3 /time:1 Save your work: logging off in 1 second",
            "msg 5 /time:1 Save your work: logging off in 1 second",
            "query session",
            "logoff 5",
            "query session",
        ],
        &env.calls(),
    );
    let report = json(&out);
    let s = |id| by_id(&report, "localhost", id).clone();
    assert_eq!(s(3)["outcome"], "gone_before_logoff");
    assert_eq!(s(3)["warning"], "sent");
    assert_eq!(s(4)["action"], "logoff");
    assert_eq!(s(4)["outcome"], "reused_id");
    let m = s(4)["message"].as_str().unwrap().to_string();
    assert!(m.contains("user \"mallory\", session \"rdp-tcp#9\""), "{m}");
    assert!(m.contains("ID, user and session name compared"), "{m}");
    assert_eq!(s(4)["warning"], "not_active");
    assert_eq!(s(5)["warning"], "failed");
    assert_eq!(s(5)["outcome"], "logged_off");
    // svc_backup reconnected: same ID and user, new session name: not the planned session.
    assert_eq!(s(6)["outcome"], "reused_id");
    assert!(stderr(&out).contains("grace period over"));

    // Same change with --state disc: 4 and 6 are held by other sessions now; nobody is logged
    // off.
    let env = TestEnv::new("warn-state");
    env.fake_query_sequence(&["en-2019-mixed.txt", "en-2019-mixed-later.txt"], None);
    env.fake_logoff("");
    env.fake_tool("msg", "");
    let out = env.run(&[
        "--state", "disc", "--warn", "bye", "--grace", "1s", "--format", "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_calls(&["query session", "query session"], &env.calls());
    let report = json(&out);
    assert_eq!(by_id(&report, "localhost", 4)["outcome"], "reused_id");
    assert_eq!(by_id(&report, "localhost", 6)["outcome"], "reused_id");
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
/// the exit code has the query-failed bit.
#[test]
fn many_servers_one_unreachable_the_rest_go_on() {
    for jobs in ["1", "3"] {
        let env = TestEnv::new("servers");
        let log = env.dir.join("calls.log");
        let mixed = crate::common::fixtures().join("en-2019-console-user.txt");
        env.script(
            "query",
            &format!(
                "echo \"query $*\" >> '{}'\ncase \"$2\" in\n\
                 /server:ts02) echo 'Error [1722]:The RPC server is unavailable.' >&2; exit 1 ;;\n\
                 *) {} ;;\nesac",
                log.display(),
                env.print_table(&mixed)
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
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let mut calls = env.calls();
        calls.sort();
        assert_calls(
            &[
                "logoff 2 /server:ts01",
                "logoff 2 /server:ts03",
                "query session /server:ts01",
                "query session /server:ts01",
                "query session /server:ts02",
                "query session /server:ts03",
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
