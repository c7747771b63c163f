//! Verification and `--reset-stuck` compare ID, user and session name, and the re-check before
//! a logoff knows a session that only got disconnected: stand-in tables that change between
//! the looks, as a host's do when users log on again, disconnect or reconnect.

use crate::common::{json, TestEnv};
use crate::safety::standin::{by_id, query_tables, run_with, stderr, table};

/// A stand-in `reset` that records its arguments and answers with `body` (a `case "$1"` body).
fn fake_reset(env: &TestEnv, body: &str) {
    env.fake_tool("reset", body);
}

/// After the logoff of bob's rdp-tcp#3, the table lists bob on the same ID 4 under rdp-tcp#9:
/// a new logon of his, or his session disconnected and reconnected between two looks; the
/// tables cannot tell, so it is not called gone: `still_present` (exit 1), saying why, and
/// `--reset-stuck` never resets it.
#[test]
fn a_new_logon_on_the_same_id_is_not_called_gone_and_never_reset() {
    let env = TestEnv::new("new-logon");
    let before = table(&[
        ("services", "", 0, "Disc"),
        ("rdp-tcp#3", "bob", 4, "Active"),
    ]);
    let after = table(&[
        ("services", "", 0, "Disc"),
        ("rdp-tcp#9", "bob", 4, "Active"),
    ]);
    query_tables(&env, &[before, after]);
    // Exits 0 and leaves the table to the stand-in query (which shows the new logon).
    env.fake_logoff("4) exit 0 ;;");
    fake_reset(&env, "");
    let out = run_with(
        &env,
        &["--verify-wait", "1s", "--reset-stuck", "--format", "json"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!env.calls().iter().any(|c| c.starts_with("reset")));
    let bob = by_id(&json(&out), 4);
    assert_eq!(bob["outcome"], "still_present");
    assert_eq!(
        bob["session_name"], "rdp-tcp#3",
        "the planned session's row"
    );
    let m = bob["message"].as_str().unwrap();
    assert!(
        m.contains("ID 4 (user \"bob\", session \"rdp-tcp#9\"")
            && m.contains("the same user under another session name")
            && m.contains("not reset"),
        "{m}"
    );
}

/// A session that only got disconnected after its logoff (no session name now, state Disc) is
/// still there: `still_present`, quoting what the table showed. `--reset-stuck` leaves it: a
/// reset needs the planned session name, and a nameless session may be a new logon of the same
/// user that disconnected. A disconnected one that reconnected (it now has a name) is still
/// there too, but might be a new logon: never reset.
#[test]
fn a_session_disconnected_or_reconnected_after_its_logoff_is_still_present() {
    let before = table(&[("rdp-tcp#3", "bob", 4, "Active"), ("", "carol", 5, "Disc")]);
    let after = table(&[("", "bob", 4, "Disc"), ("rdp-tcp#8", "carol", 5, "Active")]);
    let env = TestEnv::new("disc-after-logoff");
    query_tables(&env, &[before.clone(), after.clone()]);
    env.fake_logoff("4|5) exit 0 ;;");
    let out = run_with(&env, &["--verify-wait", "1s", "--format", "json"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    let bob = by_id(&report, 4);
    assert_eq!(bob["outcome"], "still_present");
    let m = bob["message"].as_str().unwrap();
    assert!(
        m.contains("still listed ID 4 (user \"bob\", no session name, state \"Disc\")"),
        "{m}"
    );
    let carol = by_id(&report, 5);
    assert_eq!(carol["outcome"], "still_present");
    let m = carol["message"].as_str().unwrap();
    assert!(
        m.contains("session \"rdp-tcp#8\"") && m.contains("reconnected"),
        "{m}"
    );

    let env = TestEnv::new("disc-after-logoff-reset");
    query_tables(&env, &[before, after]);
    env.fake_logoff("4|5) exit 0 ;;");
    fake_reset(&env, "");
    let out = run_with(
        &env,
        &["--verify-wait", "1s", "--reset-stuck", "--format", "json"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let calls = env.calls();
    assert!(!calls.iter().any(|c| c.starts_with("reset")), "{calls:?}");
    let report = json(&out);
    let bob = by_id(&report, 4);
    assert_eq!(bob["outcome"], "still_present");
    assert!(
        bob["message"].as_str().unwrap().contains("not reset"),
        "{bob}"
    );
    let carol = by_id(&report, 5);
    assert_eq!(carol["outcome"], "still_present");
    assert!(carol["message"].as_str().unwrap().contains("not reset"));
}

/// `reset session` answering "not found" is `logged_off` only when a fresh table no longer
/// lists the session; still listed, it is `reset_failed` with the tool's words.
#[test]
fn a_reset_answered_not_found_is_checked_by_a_fresh_table() {
    for (ends, code, outcome) in [(true, 0, "logged_off"), (false, 1, "reset_failed")] {
        let env = TestEnv::new("reset-not-found");
        query_tables(&env, &[table(&[("rdp-tcp#3", "bob", 4, "Active")])]);
        env.fake_logoff("4) exit 0 ;;");
        let end = if ends {
            format!("echo \"$2 $3\" >> '{}'; ", env.gone_file().display())
        } else {
            String::new()
        };
        fake_reset(
            &env,
            &format!("session) {end}echo 'Session ID 4 not found' >&2; exit 1 ;;"),
        );
        let out = run_with(
            &env,
            &["--verify-wait", "1", "--reset-stuck", "--format", "json"],
            &[],
        );
        assert_eq!(out.status.code(), Some(code), "{}", stderr(&out));
        let calls = env.calls();
        let n = calls.len();
        assert_eq!(
            calls[n - 2..],
            ["reset session 4".to_string(), "query session".into()],
            "a look after the answer: {calls:?}"
        );
        let bob = by_id(&json(&out), 4);
        assert_eq!(bob["outcome"], outcome);
        if !ends {
            let m = bob["message"].as_str().unwrap();
            assert!(
                m.contains("Session ID 4 not found") && m.contains("still"),
                "{m}"
            );
        }
    }
}

/// The usual answer to a `--warn` message is to disconnect: during the grace period bob's
/// session loses its name and turns Disc, same ID and user. It is the same session, and it
/// is logged off (not left alone as a reused ID).
#[test]
fn a_session_disconnected_during_the_grace_period_is_still_logged_off() {
    let env = TestEnv::new("disc-in-grace");
    let before = table(&[
        ("console", "", 1, "Conn"),
        ("rdp-tcp#3", "bob", 3, "Active"),
    ]);
    let after = table(&[("console", "", 1, "Conn"), ("", "bob", 3, "Disc")]);
    query_tables(&env, &[before, after]);
    env.fake_logoff("");
    env.fake_tool("msg", "");
    let out = run_with(
        &env,
        &[
            "--warn", "bye", "--grace", "1s", "--yes", "--format", "json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let calls = env.calls();
    assert!(calls.contains(&"logoff 3".to_string()), "{calls:?}");
    assert_eq!(by_id(&json(&out), 3)["outcome"], "logged_off");
}
