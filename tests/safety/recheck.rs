//! Item 2: never log off on a stale table. The table is read again before a logoff when it is
//! old and after any logoff that failed or timed out, and only the same session is logged off.

use crate::common::{assert_lines, json, TestEnv};
use crate::safety::standin::{by_id, query_tables, run_with, stderr, table};

/// Item 2: a logoff that timed out makes the next one read the table again. ID 4 now belongs
/// to mallory (left alone, named), 6 went (not run), 5 is still carol's (logged off). The
/// report says what was compared.
#[test]
fn after_a_timed_out_logoff_the_table_is_read_again_and_a_reused_id_is_left_alone() {
    let env = TestEnv::new("stale");
    let before = table(&[
        ("services", "", 0, "Disc"),
        ("rdp-tcp#1", "alice", 3, "Active"),
        ("rdp-tcp#2", "bob", 4, "Active"),
        ("rdp-tcp#3", "carol", 5, "Active"),
        ("rdp-tcp#4", "dave", 6, "Active"),
    ]);
    let after = table(&[
        ("services", "", 0, "Disc"),
        ("rdp-tcp#1", "alice", 3, "Active"),
        ("rdp-tcp#9", "mallory", 4, "Active"),
        ("rdp-tcp#3", "carol", 5, "Active"),
    ]);
    query_tables(&env, &[before, after]);
    env.fake_logoff("3) exec sleep 30 ;;");
    let out = run_with(
        &env,
        &["--parallel", "1", "--timeout", "1", "--format", "json"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_lines(
        &[
            "query session",
            "logoff 3",
            "query session",
            "logoff 5",
            "query session",
        ],
        &env.calls(),
    );
    let report = json(&out);
    assert_eq!(by_id(&report, 3)["outcome"], "timed_out");
    let reused = by_id(&report, 4);
    assert_eq!(reused["outcome"], "reused_id");
    assert_eq!(
        reused["user"], "bob",
        "the row is the session that was planned"
    );
    let m = reused["message"].as_str().unwrap();
    assert!(m.contains("now belongs to user \"mallory\""), "{m}");
    assert!(m.contains("after a logoff that failed or timed out"), "{m}");
    assert!(m.contains("ID, user and session name compared"), "{m}");
    assert_eq!(by_id(&report, 5)["outcome"], "logged_off");
    assert_eq!(by_id(&report, 6)["outcome"], "gone_before_logoff");
    assert!(stderr(&out).contains("reading the table again before logging off session 4"));
}

/// A re-check that cannot read the table stops the server: what was done before stays in the
/// report, nothing more is run, and the error says so without claiming nobody was logged off.
#[test]
fn a_failed_recheck_after_a_failed_logoff_stops_that_server_and_keeps_the_report_true() {
    let env = TestEnv::new("recheck-fails");
    let before = table(&[
        ("rdp-tcp#1", "alice", 3, "Active"),
        ("rdp-tcp#2", "bob", 4, "Active"),
        ("rdp-tcp#3", "carol", 5, "Active"),
    ]);
    query_tables(&env, &[before, "garbage, not a table\r\n".to_string()]);
    env.fake_logoff("4) echo 'Error [5]:Access is denied.' >&2; exit 1 ;;");
    let out = run_with(&env, &["--parallel", "1", "--format", "json"], &[]);
    // Bits: 1 a failed logoff, 4 the table of the re-check not understood.
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert_lines(
        &["query session", "logoff 3", "logoff 4", "query session"],
        &env.calls(),
    );
    let report = json(&out);
    let first = by_id(&report, 3);
    assert_eq!(first["outcome"], "logged_off_unverified");
    assert!(first["message"]
        .as_str()
        .unwrap()
        .contains("re-check failed"));
    assert_eq!(by_id(&report, 4)["outcome"], "failed");
    assert_eq!(by_id(&report, 5)["outcome"], "not_run");
    let error = report["errors"][0]["message"].as_str().unwrap();
    assert!(
        error.contains("no further session on this server was logged off"),
        "{error}"
    );
    assert!(!error.contains("nobody was logged off"), "{error}");
}

/// `--disconnect` gets the same re-check: after a failed `tsdiscon` the table is read again,
/// a reused ID is left alone, a session of the same user that got disconnected meanwhile is
/// skipped as already disconnected, and disconnections are not verified (a disconnected
/// session stays listed), as stderr says.
#[test]
fn disconnect_is_rechecked_after_a_failure_and_not_verified() {
    let env = TestEnv::new("disconnect-recheck");
    let before = table(&[
        ("rdp-tcp#1", "alice", 3, "Active"),
        ("rdp-tcp#2", "bob", 4, "Active"),
        ("rdp-tcp#3", "carol", 5, "Active"),
        ("rdp-tcp#4", "dave", 6, "Active"),
    ]);
    let after = table(&[
        ("rdp-tcp#1", "alice", 3, "Active"),
        ("rdp-tcp#9", "mallory", 4, "Active"),
        ("", "carol", 5, "Disc"),
        ("rdp-tcp#4", "dave", 6, "Active"),
    ]);
    query_tables(&env, &[before, after]);
    let log = env.dir.join("calls.log");
    env.script(
        "tsdiscon",
        &format!(
            "echo \"tsdiscon $*\" >> '{}'\ncase \"$1\" in\n\
             3) echo 'Error [5]:Access is denied.' >&2; exit 1 ;;\nesac\nexit 0",
            log.display()
        ),
    );
    let out = run_with(
        &env,
        &["--parallel", "1", "--disconnect", "--format", "json"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_lines(
        &["query session", "tsdiscon 3", "query session", "tsdiscon 6"],
        &env.calls(),
    );
    let report = json(&out);
    assert_eq!(by_id(&report, 3)["outcome"], "failed");
    assert_eq!(by_id(&report, 4)["outcome"], "reused_id");
    let carol = by_id(&report, 5);
    assert_eq!(carol["action"], "skip");
    assert_eq!(carol["reason_code"], "already_disconnected");
    assert_eq!(by_id(&report, 6)["outcome"], "disconnected");
    assert!(
        stderr(&out).contains("disconnections are not verified"),
        "{}",
        stderr(&out)
    );
}
