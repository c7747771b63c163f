//! --drain: the mode is recorded, drained before any warning or logoff, and restored on every
//! path (success, failed logoffs, a refused drain, Ctrl-C, a second Ctrl-C).

use super::{mixed, stderr, stdout};
use crate::common::{assert_calls, assert_lines, json, TestEnv};
use std::time::{Duration, Instant};

const DRAINED: &[&str] = &[
    "change logon /query",
    "change logon /drain",
    "change logon /query",
];
/// The restore: the mode is read first (still the drain this run set), then put back.
const RESTORED: &[&str] = &[
    "change logon /query",
    "change logon /enable",
    "change logon /query",
];

#[test]
fn drain_is_set_before_the_warning_and_restored_after_the_logoffs() {
    let env = mixed("drain", "enable", &[]);
    let out = env.run(&[
        "--parallel",
        "1",
        "--drain",
        "--warn",
        "bye",
        "--grace",
        "1s",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let expected = [
        &["query session"][..],
        DRAINED,
        &[
            "msg 3 /time:1 bye, logoff in 1 second",
            "msg 5 /time:1 bye, logoff in 1 second",
            "query session",
            "logoff 3",
            "logoff 4",
            "logoff 5",
            "logoff 6",
            // The verification, still inside the drain.
            "query session",
        ],
        RESTORED,
    ]
    .concat();
    assert_lines(&expected, &env.calls());
    assert_eq!(env.logon_mode(), "enable");
    let notes = json(&out)["warnings"].to_string();
    assert!(notes.contains("restored to enabled"), "{notes}");
}

#[test]
fn drain_restores_the_mode_when_logoffs_fail() {
    let env = mixed("drain-fail", "enable", &[]);
    env.fake_logoff("4) echo 'Error [5]: Access is denied.' >&2; exit 1 ;;");
    let log = env.dir.join("audit.jsonl");
    let out = env.run(&["--drain", "--log", &log.display().to_string()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let calls = env.calls();
    assert_eq!(&calls[calls.len() - 3..], RESTORED, "{calls:?}");
    assert!(calls.contains(&"logoff 5".to_string()), "{calls:?}");
    assert_eq!(env.logon_mode(), "enable");
    // The audit log has each logon mode step, in order, in its own record shape.
    let steps: Vec<(String, String)> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["event"] == "logon_mode")
        .map(|v| (v["step"].to_string(), v["logon_mode"].to_string()))
        .collect();
    let names: Vec<&str> = steps.iter().map(|(s, _)| s.trim_matches('"')).collect();
    assert_eq!(names, ["recorded", "drained", "restored"], "{steps:?}");
}

#[test]
fn a_drain_that_cannot_be_set_stops_the_run_and_restores() {
    let env = mixed("drain-refused", "enable", &["/drain"]);
    let out = env.run(&["--drain", "--warn", "bye", "--grace", "1s"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // The drain did not take (read back), so the mode read before the restore is the
    // recorded one: nothing to put back.
    assert_calls(
        &[
            "query session",
            "change logon /query",
            "change logon /drain",
            "change logon /query",
            "change logon /query",
        ],
        &env.calls(),
    );
    assert_eq!(env.logon_mode(), "enable");
    assert!(stderr(&out).contains("nobody was warned or logged off"));
    assert!(stdout(&out).contains("4 not run"), "{}", stdout(&out));
    // The report says why exit bit 1 is set: the drain failed, not a logoff.
    assert!(
        stdout(&out).contains("localhost: note: drain_failed: --drain could not block new logons"),
        "{}",
        stdout(&out)
    );
    let out = env.run(&["--drain", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let warnings = json(&out)["warnings"].to_string();
    assert!(warnings.contains("drain_failed"), "{warnings}");
}

#[test]
fn timeouts_of_change_or_logoff_still_restore_the_mode() {
    // A `change logon /drain` that hangs may have half-happened: the mode is put back.
    let env = mixed("drain-hang", "enable", &["/drain:hang"]);
    let out = env.run(&["--drain", "--timeout", "1s"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_calls(
        &[
            "query session",
            "change logon /query",
            "change logon /drain",
            "change logon /query",
        ],
        &env.calls(),
    );
    assert_eq!(env.logon_mode(), "enable");
    assert!(
        stderr(&out).contains("did not finish within 1 s"),
        "{}",
        stderr(&out)
    );

    let env = mixed("drain-logoff-hang", "enable", &[]);
    env.fake_logoff("4) sleep 5 ;;");
    let out = env.run(&["--drain", "--timeout", "1s", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(json(&out)["sessions"][4]["outcome"], "timed_out");
    let calls = env.calls();
    assert_eq!(&calls[calls.len() - 3..], RESTORED, "{calls:?}");
    assert_eq!(env.logon_mode(), "enable");
}

#[test]
fn a_mode_already_blocking_logons_is_left_as_it_was() {
    let env = mixed("drain-already", "drainuntilrestart", &[]);
    let out = env.run(&["--drain"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let calls = env.calls();
    assert_eq!(
        calls.iter().filter(|c| c.starts_with("change")).count(),
        1,
        "only the query: {calls:?}"
    );
    assert_eq!(env.logon_mode(), "drainuntilrestart");
    assert!(stderr(&out).contains("already blocked"));
}

#[test]
fn an_unknown_logon_mode_text_changes_nothing() {
    let env = mixed("drain-unknown", "Anmeldungen sind aktiviert", &[]);
    let out = env.run(&["--drain"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert_calls(&["query session", "change logon /query"], &env.calls());
    assert!(stderr(&out).contains("Anmeldungen"), "{}", stderr(&out));
}

#[test]
fn drain_on_another_computer_is_a_usage_error_that_names_change_logon() {
    let env = mixed("drain-remote", "enable", &[]);
    let out = env.run(&["--drain", "--server", "ts99.invalid"]);
    assert_eq!(out.status.code(), Some(16));
    assert!(
        stderr(&out).contains("`change logon` has no /server:"),
        "{}",
        stderr(&out)
    );
    assert!(env.calls().is_empty());
}

#[test]
fn drain_in_a_dry_run_says_what_it_would_do_and_changes_nothing() {
    let env = mixed("drain-dry", "enable", &[]);
    let out = env.run(&["--drain", "--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_calls(&["query session"], &env.calls());
    assert!(stderr(&out).contains("--drain would record the logon mode"));
}

/// Waits until the stand-ins have recorded a call starting with `prefix`.
pub(super) fn wait_for_call(env: &TestEnv, prefix: &str) {
    let start = Instant::now();
    while !env.calls().iter().any(|c| c.starts_with(prefix)) {
        assert!(start.elapsed() < Duration::from_secs(20), "no {prefix}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub(super) fn interrupt(child: &std::process::Child) {
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

pub(super) fn wait_exit(child: &mut std::process::Child, within: Duration) -> Option<i32> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        if start.elapsed() > within {
            let _ = child.kill();
            panic!("still running after {within:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn ctrl_c_during_the_grace_period_restores_the_mode() {
    let env = mixed("drain-sigint", "enable", &[]);
    let mut child = env
        .command(&["--drain", "--warn", "bye", "--grace", "60s"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_for_call(&env, "msg 5");
    std::thread::sleep(Duration::from_millis(200));
    interrupt(&child);
    assert_eq!(wait_exit(&mut child, Duration::from_secs(20)), Some(8));
    let calls = env.calls();
    assert!(calls.iter().all(|c| !c.starts_with("logoff")), "{calls:?}");
    assert_eq!(&calls[calls.len() - 3..], RESTORED, "{calls:?}");
    assert_eq!(env.logon_mode(), "enable");
}

#[test]
fn a_second_ctrl_c_restores_the_mode_before_the_process_ends() {
    let env = mixed("drain-sigint2", "enable", &[]);
    // msg to session 3 hangs, so the run is stuck in a child when the Ctrl-Cs come.
    env.fake_tool("msg", "3) sleep 15 ;;");
    let mut child = env
        .command(&["--drain", "--warn", "bye", "--grace", "60s"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_for_call(&env, "msg 3");
    std::thread::sleep(Duration::from_millis(200));
    interrupt(&child);
    std::thread::sleep(Duration::from_millis(200));
    interrupt(&child);
    let started = Instant::now();
    assert_eq!(wait_exit(&mut child, Duration::from_secs(12)), Some(8));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "did not wait for msg"
    );
    let calls = env.calls();
    assert_eq!(&calls[calls.len() - 3..], RESTORED, "{calls:?}");
    assert_eq!(env.logon_mode(), "enable");
}

/// A `change` as on a Windows 11 build: `/query` prints "Session logins are currently ..."
/// and exits 1 whatever the mode.
fn win11_change(env: &TestEnv) {
    let log = env.dir.join("calls.log");
    let state = env.dir.join("logon-mode");
    env.script(
        "change",
        &format!(
            "echo \"change $*\" >> '{log}'\n\
             case \"$2\" in\n\
             /query) case $(cat '{state}') in\n\
               enable) cat '{enabled}' ;;\n\
               disable) echo 'Session logins are currently DISABLED' ;;\n\
               drain) echo 'New user logons are DISABLED, but reconnections to existing sessions are ENABLED' ;;\n\
             esac; exit 1 ;;\n\
             /enable) echo enable > '{state}' ;;\n\
             /drain) echo drain > '{state}' ;;\n\
             esac",
            log = log.display(),
            state = state.display(),
            enabled = crate::common::fixtures()
                .join("tool-outputs/change-002-en-query-enabled-win11-exit1-changelog.txt")
                .display(),
        ),
    );
}

/// Issue 21: Windows 11's `change logon /query` exits 1 with its answer; that is no failure.
#[test]
fn drain_works_with_a_query_that_exits_1() {
    let env = mixed("drain-win11", "enable", &[]);
    win11_change(&env);
    let out = env.run(&["--drain"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let calls = env.calls();
    assert!(calls.contains(&"logoff 3".to_string()), "{calls:?}");
    assert_eq!(&calls[calls.len() - 3..], RESTORED, "{calls:?}");
    assert_eq!(env.logon_mode(), "enable");
}

/// Issue 21: an admin who disabled logons during the run keeps them disabled; the run says
/// so on stderr, in the report and in the audit log, with exit bit 1.
#[test]
fn a_mode_changed_during_the_run_is_left_and_reported() {
    let env = mixed("drain-changed", "enable", &[]);
    let state = env.dir.join("logon-mode");
    env.fake_tool(
        "msg",
        &format!("3) echo disable > '{}' ;;", state.display()),
    );
    let log = env.dir.join("audit.jsonl");
    let out = env.run(&[
        "--drain",
        "--warn",
        "bye",
        "--grace",
        "1s",
        "--format",
        "json",
        "--log",
        &log.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(env.logon_mode(), "disable");
    let calls = env.calls();
    assert!(
        !calls.contains(&"change logon /enable".to_string()),
        "{calls:?}"
    );
    assert!(
        stderr(&out).contains("changed to disabled by someone else"),
        "{}",
        stderr(&out)
    );
    let warnings = json(&out)["warnings"].to_string();
    assert!(warnings.contains("left so"), "{warnings}");
    let audit = std::fs::read_to_string(&log).unwrap();
    assert!(audit.contains("\"left_alone\""), "{audit}");
    // Nothing is left for the next run to mend.
    assert!(!env.bin.join("logoff-all-drain.json").exists());
}

#[test]
fn drain_until_restart_is_set_and_kept_for_the_restart() {
    let env = mixed("drain-restart", "enable", &[]);
    let out = env.run(&["--drain-until-restart"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let changes: Vec<String> = env
        .calls()
        .into_iter()
        .filter(|c| c.starts_with("change"))
        .collect();
    assert_calls(
        &[
            "change logon /query",
            "change logon /drainuntilrestart",
            "change logon /query",
        ],
        &changes,
    );
    assert_eq!(env.logon_mode(), "drainuntilrestart");
    assert!(stderr(&out).contains("next restart"), "{}", stderr(&out));
}
