//! The drain journal under Wine: a `--drain` run ended by `TerminateProcess` (`taskkill /f`, as
//! Task Scheduler's stop does) leaves logons drained and `%ProgramData%\logoff-all\drain.json`;
//! `--restore-logons`, or the next run that acts, puts the recorded mode back through
//! `change logon` when the mode is still the drain, and leaves a mode someone else set since.
//!
//! These scenarios run in a prefix of their own: every acting run mends a journal it finds, so
//! the runs of other scenarios in the shared prefix would mend this one's first.

use super::drain::{mode, set_mode};
use super::{exes, new_prefix, text, Case, WINE};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// Logons enabled, and drained, as `reg query` prints the two values.
const ENABLED: (&str, &str) = ("0", "0x0");
const DRAINED: (&str, &str) = ("0", "0x2");
const DISABLED: (&str, &str) = ("1", "0x0");

fn journal_prefix() -> &'static Path {
    static PREFIX: OnceLock<PathBuf> = OnceLock::new();
    PREFIX.get_or_init(|| new_prefix("-journal"))
}

/// One scenario at a time: they share the prefix's logon mode and journal.
fn alone() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn journal_file() -> PathBuf {
    journal_prefix().join("drive_c/ProgramData/logoff-all/drain.json")
}

fn is(now: (String, String), want: (&str, &str)) -> bool {
    (now.0.as_str(), now.1.as_str()) == want
}

/// `wine PROGRAM ARGS` in the journal's prefix.
fn wine(args: &[&str]) -> std::process::Output {
    Command::new(WINE)
        .args(args)
        .env("WINEPREFIX", journal_prefix())
        .env("WINEDEBUG", "-all")
        .output()
        .expect("wine64 runs")
}

/// Starts `exe --drain` with a long grace, waits until it has written its journal, drained
/// and sent its warning, then ends it with `TerminateProcess` (`taskkill /f /pid`, the Windows
/// process ID from its journal). Returns that ID.
fn drain_then_terminate(case: &Case, exe: &Path) -> u64 {
    set_mode(journal_prefix(), "0", "0");
    let mut child = case
        .command(
            exe,
            None,
            &[
                "--drain",
                "--warn",
                "bye",
                "--grace",
                "60s",
                "--yes",
                "--verify-wait",
                "0",
            ],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("wine64 runs");
    let start = Instant::now();
    let pid = loop {
        let note = std::fs::read_to_string(journal_file()).ok();
        let pid = note
            .and_then(|n| serde_json::from_str::<Value>(&n).ok())
            .and_then(|v| v["pid"].as_u64());
        let warned = std::fs::read_to_string(case.dir.join("calls.log"))
            .is_ok_and(|calls| calls.to_ascii_lowercase().contains("\\msg.exe|"));
        if let Some(pid) = pid.filter(|_| warned && is(mode(journal_prefix()), DRAINED)) {
            break pid;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("{}: the run ended by itself ({status})", exe.display());
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{}: no journal, drain and warning",
            exe.display()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let out = wine(&["taskkill", "/f", "/pid", &pid.to_string()]);
    assert!(out.status.success(), "taskkill: {}", text(&out));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{}: still running after taskkill /f",
            exe.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    // Ended by TerminateProcess, which gives an exit code, not by a Unix signal; and gone
    // for Windows: a second taskkill finds no such process (its exit code 128).
    assert!(status.code().is_some(), "{}: {status}", exe.display());
    let out = wine(&["taskkill", "/f", "/pid", &pid.to_string()]);
    assert_eq!(
        out.status.code(),
        Some(128),
        "{pid} still there: {}",
        text(&out)
    );
    // Ended from outside: nothing was restored and the journal stays.
    assert!(is(mode(journal_prefix()), DRAINED), "{}", exe.display());
    let note = std::fs::read_to_string(journal_file()).unwrap();
    assert!(note.contains(r#""recorded":"/enable""#), "{note}");
    assert!(note.contains(r#""set":"/drain""#), "{note}");
    pid
}

/// The `logon_mode` lines of an audit log, as (step, mode).
fn logon_steps(log: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["event"] == "logon_mode")
        .map(|v| {
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            (s("step"), s("logon_mode"))
        })
        .collect()
}

#[test]
#[ignore = "needs Wine and the Windows builds: scripts/test-all"]
fn a_drain_left_by_a_terminated_run_is_restored_by_the_next_run() {
    let _alone = alone();
    for exe in exes() {
        for next in [
            &["--restore-logons"][..],
            &["--yes", "--verify-wait", "0"][..],
        ] {
            let mut case = Case::new("journal", "en-2019-mixed.txt");
            case.prefix = Some(journal_prefix());
            let pid = drain_then_terminate(&case, &exe);

            let log = case.dir.join("audit.jsonl");
            let log_arg = super::win(&log);
            let args: Vec<&str> = next.iter().copied().chain(["--log", &log_arg]).collect();
            let out = case.run(&exe, &args);
            let said = text(&out);
            assert_eq!(out.status.code(), Some(0), "{next:?}: {said}");
            assert!(is(mode(journal_prefix()), ENABLED), "{next:?}: {said}");
            assert!(!journal_file().exists(), "{next:?}: {said}");
            assert!(
                said.contains(&format!(
                    "an earlier run (process {pid}) ended without restoring the logon mode; it \
                     was restored to enabled (change logon /enable, read back)"
                )),
                "{next:?}: {said}"
            );
            let calls = case.system32_calls();
            assert_eq!(
                calls
                    .iter()
                    .filter(|c| c.starts_with("change"))
                    .collect::<Vec<_>>(),
                [
                    "change logon /query",
                    "change logon /enable",
                    "change logon /query"
                ],
                "{next:?}: {calls:?}"
            );
            assert_eq!(
                logon_steps(&log),
                [("restored_after_ended_run".into(), "enabled".into())],
                "{next:?}"
            );
            // Said once: a further run finds nothing to mend.
            let out = case.run(&exe, &["--restore-logons"]);
            assert_eq!(out.status.code(), Some(0), "{}", text(&out));
            assert!(text(&out).contains("nothing to do"), "{}", text(&out));
        }
    }
}

#[test]
#[ignore = "needs Wine and the Windows builds: scripts/test-all"]
fn a_mode_changed_after_a_terminated_run_is_left_alone() {
    let _alone = alone();
    for exe in exes() {
        let mut case = Case::new("journal-changed", "en-2019-mixed.txt");
        case.prefix = Some(journal_prefix());
        drain_then_terminate(&case, &exe);
        // An administrator disables all logons before anyone mends the drain.
        set_mode(journal_prefix(), "1", "0");
        let log = case.dir.join("audit.jsonl");
        let out = case.run(&exe, &["--restore-logons", "--log", &super::win(&log)]);
        let said = text(&out);
        assert_eq!(out.status.code(), Some(0), "{said}");
        assert!(is(mode(journal_prefix()), DISABLED), "{said}");
        assert!(!journal_file().exists(), "{said}");
        assert!(
            said.contains("the logon mode is now disabled, set by someone else; it was left so"),
            "{said}"
        );
        let calls = case.system32_calls();
        assert!(
            !calls.iter().any(|c| c == "change logon /enable"),
            "{calls:?}"
        );
        assert_eq!(
            logon_steps(&log),
            [("left_alone".into(), "disabled".into())]
        );
        set_mode(journal_prefix(), "0", "0");
    }
}
