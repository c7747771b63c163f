//! Unit tests of `--drain`: reading the mode, draining, and restoring on every path.

use super::*;
use crate::host::fake::{exited, FakeHost};
use std::sync::{Arc, Mutex};

/// A stand-in `change` that keeps the mode; `fail` makes that switch fail.
fn change_host(start: LogonMode, fail: Option<LogonMode>) -> FakeHost {
    change_host_with(Arc::new(Mutex::new(start)), fail)
}

/// [`change_host`] keeping the mode in `mode`, which the test may change meanwhile (someone
/// else running `change logon`).
fn change_host_with(mode: Arc<Mutex<LogonMode>>, fail: Option<LogonMode>) -> FakeHost {
    FakeHost::new(move |call, _| {
        let Call::ChangeLogon(asked) = call else {
            return exited(0, "", "");
        };
        let mut mode = mode.lock().unwrap();
        match *asked {
            LogonMode::Query => {
                let text = SENTENCES.iter().find(|(_, m)| *m == *mode).unwrap().0;
                exited(0, &format!("{}\r\n", text.to_uppercase()), "")
            }
            m if Some(m) == fail => exited(1, "", "Error 5: Access is denied."),
            m => {
                *mode = m;
                exited(0, "", "")
            }
        }
    })
}

fn switches(host: &FakeHost) -> Vec<String> {
    host.argvs().into_iter().map(|a| a[1].clone()).collect()
}

/// The `change logon` calls of a test: on `host`, 1 s each.
fn change_of(host: &FakeHost) -> Change<'_> {
    Change {
        host,
        timeout: Duration::from_secs(1),
        text: &text,
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn every_known_sentence_reads_and_anything_else_is_refused() {
    let m = |t: &str| parse_mode(t);
    assert_eq!(
        m("Connections are currently ENABLED\r\n"),
        Ok(LogonMode::Enable)
    );
    assert_eq!(
        m("  Connections are currently DISABLED. "),
        Ok(LogonMode::Disable)
    );
    assert_eq!(
        m("New user logons are DISABLED, but reconnections to existing sessions are ENABLED"),
        Ok(LogonMode::Drain)
    );
    assert_eq!(
        m(
            "New user logons are DISABLED, but reconnections to existing sessions are\r\n\
           ENABLED until the server is restarted"
        ),
        Ok(LogonMode::DrainUntilRestart)
    );
    for bad in [
        "",
        "Anmeldungen sind zurzeit aktiviert",
        "Connections are currently ENABLED by Group Policy for this machine, unable to change",
        "Connections are currently",
    ] {
        let e = m(bad).unwrap_err();
        assert!(e.contains("nothing was changed"), "{e}");
    }
}

#[test]
fn drain_then_restore_reads_each_change_back() {
    let host = change_host(LogonMode::Enable, None);
    let change = change_of(&host);
    let recorded = change.query().unwrap();
    let undo = Undo::default();
    let (mut guard, drained) = Guard::drain(change, recorded, LogonMode::Drain, &undo);
    assert_eq!(drained, Ok(Drained::Set));
    assert_eq!(guard.restore(), Ok(Restore::Restored(LogonMode::Enable)));
    assert_eq!(guard.restore(), Ok(Restore::Nothing), "restored once only");
    drop(guard);
    // Before the restore the mode is read: still the drain this run set.
    assert_eq!(
        switches(&host),
        ["/query", "/drain", "/query", "/query", "/enable", "/query"]
    );
}

#[test]
fn a_dropped_guard_restores_the_recorded_mode() {
    let host = change_host(LogonMode::Enable, None);
    let change = change_of(&host);
    {
        let undo = Undo::default();
        let (_guard, drained) = Guard::drain(change, LogonMode::Enable, LogonMode::Drain, &undo);
        assert!(drained.is_ok());
        // An early return or a panic unwinding past here drops the guard.
    }
    assert_eq!(
        switches(&host),
        ["/drain", "/query", "/query", "/enable", "/query"]
    );
}

#[test]
fn a_failed_drain_is_an_error_and_the_mode_is_still_restored() {
    let host = change_host(LogonMode::Enable, Some(LogonMode::Drain));
    let change = change_of(&host);
    let undo = Undo::default();
    let (mut guard, drained) = Guard::drain(change, LogonMode::Enable, LogonMode::Drain, &undo);
    assert!(matches!(drained, Err(DrainError::Failed(ref m)) if m.contains("Access is denied")));
    // The mode is still the recorded one: nothing to put back.
    assert_eq!(guard.restore(), Ok(Restore::Unchanged(LogonMode::Enable)));
    assert_eq!(switches(&host), ["/drain", "/query", "/query"]);
}

#[test]
fn logons_already_blocked_are_left_alone() {
    for mode in [
        LogonMode::Disable,
        LogonMode::Drain,
        LogonMode::DrainUntilRestart,
    ] {
        let host = change_host(mode, None);
        let change = change_of(&host);
        let undo = Undo::default();
        let (mut guard, drained) = Guard::drain(change, mode, LogonMode::Drain, &undo);
        assert_eq!(drained, Ok(Drained::AlreadyBlocked(mode)));
        assert_eq!(guard.restore(), Ok(Restore::Nothing));
        drop(guard);
        assert!(host.argvs().is_empty(), "{mode:?}");
    }
}

#[test]
fn a_second_ctrl_c_restores_once_and_the_run_reports_it() {
    let host = change_host(LogonMode::Enable, None);
    let change = change_of(&host);
    let undo = Undo::default();
    let (mut guard, _) = Guard::drain(change, LogonMode::Enable, LogonMode::Drain, &undo);
    let other = change_host(LogonMode::Drain, None);
    assert!(matches!(
        undo.restore_now(&other, Duration::from_secs(1)),
        Some(Ok(Restore::Restored(LogonMode::Enable)))
    ));
    assert_eq!(switches(&other), ["/query", "/enable", "/query"]);
    // The run's own restore then runs nothing and reports what the Ctrl-C's restore did.
    assert_eq!(guard.restore(), Ok(Restore::Restored(LogonMode::Enable)));
    assert_eq!(switches(&host), ["/drain", "/query"]);
    assert!(undo.restore_now(&other, Duration::from_secs(1)).is_none());
}

#[test]
fn a_restore_that_fails_is_tried_once_more_then_reported() {
    let host = change_host(LogonMode::Enable, Some(LogonMode::Enable));
    let change = change_of(&host);
    let undo = Undo::default();
    let (mut guard, drained) = Guard::drain(change, LogonMode::Enable, LogonMode::Drain, &undo);
    assert!(drained.is_ok());
    let e = guard.restore().unwrap_err();
    assert!(
        e.to_string()
            .contains("after change logon /enable (exit code 1"),
        "{e}"
    );
    assert_eq!(
        switches(&host),
        ["/drain", "/query", "/query", "/enable", "/query", "/enable", "/query"]
    );
}

/// A `change` whose `/query` prints `stdout` and exits with `code`; the registry holds
/// `registry`.
fn query_host(registry: Option<LogonMode>, code: i32, stdout: &'static str) -> FakeHost {
    let host = FakeHost::new(move |_, _| exited(code, stdout, ""));
    *host.logon_mode.lock().unwrap() = registry;
    host
}

/// Issue 21: Windows 11 prints "Session logins are currently ENABLED" and exits 1.
#[test]
fn a_known_query_text_is_read_whatever_the_exit_code() {
    for text in [
        include_str!("../../../fixtures/tool-outputs/change-001-en-query-enabled-literal.txt"),
        include_str!(
            "../../../fixtures/tool-outputs/change-002-en-query-enabled-win11-exit1-changelog.txt"
        ),
    ] {
        for code in [0, 1] {
            let host = query_host(None, code, text);
            assert_eq!(change_of(&host).query(), Ok(LogonMode::Enable), "{code}");
        }
    }
}

/// Issue 21: a German, Russian or Chinese server prints words no table knows; the registry
/// tells the mode there.
#[test]
fn the_registry_tells_the_mode_in_any_language() {
    for text in [
        "Sitzungsanmeldungen sind zurzeit AKTIVIERT",
        "Вход в сеансы в настоящее время РАЗРЕШЕН",
        "当前已启用会话登录",
        "",
    ] {
        for code in [0, 1] {
            let host = query_host(Some(LogonMode::Drain), code, text);
            assert_eq!(change_of(&host).query(), Ok(LogonMode::Drain), "{text}");
            // Without the registry, an unknown text is refused with its exit code.
            let host = query_host(None, code, text);
            let e = change_of(&host).query().unwrap_err();
            assert!(
                matches!(&e, DrainError::NotUnderstood(m) if m.contains(&format!("exited with {code}"))),
                "{e}"
            );
        }
    }
}

/// Issue 21: the usage text names every mode word and is never read as a mode.
#[test]
fn the_usage_text_is_never_a_mode() {
    let usage = include_str!(
        "../../../fixtures/tool-outputs/change-003-en-usage-invalid-params-stderr-xcyclopedia.txt"
    );
    for code in [0, 1] {
        let host = query_host(None, code, usage);
        assert!(matches!(
            change_of(&host).query(),
            Err(DrainError::NotUnderstood(_))
        ));
    }
    assert!(parse_mode(usage).is_err());
}

#[test]
fn a_registry_and_a_text_that_disagree_change_nothing() {
    let host = query_host(
        Some(LogonMode::Disable),
        0,
        "Session logins are currently ENABLED",
    );
    let e = change_of(&host).query().unwrap_err();
    assert!(e.to_string().contains("the registry says"), "{e}");
}

/// Issue 21: an admin who disabled all logons during the run keeps them disabled.
#[test]
fn a_mode_set_by_someone_else_during_the_run_is_left_alone() {
    for other in [LogonMode::Disable, LogonMode::DrainUntilRestart] {
        let mode = Arc::new(Mutex::new(LogonMode::Enable));
        let host = change_host_with(Arc::clone(&mode), None);
        let undo = Undo::default();
        let (mut guard, drained) =
            Guard::drain(change_of(&host), LogonMode::Enable, LogonMode::Drain, &undo);
        assert_eq!(drained, Ok(Drained::Set));
        *mode.lock().unwrap() = other;
        assert_eq!(guard.restore(), Ok(Restore::LeftAlone(other)));
        assert_eq!(*mode.lock().unwrap(), other);
        assert_eq!(switches(&host), ["/drain", "/query", "/query"]);
        // The second Ctrl-C's path leaves it too.
        let undo = Undo::default();
        *mode.lock().unwrap() = LogonMode::Enable;
        let (mut guard, _) =
            Guard::drain(change_of(&host), LogonMode::Enable, LogonMode::Drain, &undo);
        *mode.lock().unwrap() = other;
        assert!(matches!(
            undo.restore_now(&host, Duration::from_secs(1)),
            Some(Ok(Restore::LeftAlone(m))) if m == other
        ));
        assert_eq!(guard.restore(), Ok(Restore::LeftAlone(other)));
        assert_eq!(*mode.lock().unwrap(), other);
    }
}

#[test]
fn drain_until_restart_is_set_and_kept() {
    let host = change_host(LogonMode::Enable, None);
    let undo = Undo::default();
    let (mut guard, drained) = Guard::drain(
        change_of(&host),
        LogonMode::Enable,
        LogonMode::DrainUntilRestart,
        &undo,
    );
    assert_eq!(drained, Ok(Drained::Set));
    guard.keep();
    assert_eq!(guard.restore(), Ok(Restore::Nothing));
    assert!(undo.restore_now(&host, Duration::from_secs(1)).is_none());
    drop(guard);
    assert_eq!(switches(&host), ["/drainuntilrestart", "/query"]);
}

#[test]
fn a_journal_entry_names_its_process_and_tells_a_reused_id() {
    use super::journal::{Entry, Journal};
    let mut host = FakeHost::new(|_, _| exited(0, "", ""));
    let me = std::process::id();
    host.processes = vec![(me, 77)];
    let entry = Entry::this_run(&host, LogonMode::Enable, LogonMode::Drain);
    assert_eq!(entry.started, Some(77));
    assert_eq!(entry.modes(), Some((LogonMode::Enable, LogonMode::Drain)));
    assert!(entry.still_running(&host));
    host.processes = vec![(me, 78)];
    assert!(
        !entry.still_running(&host),
        "another process under the same ID"
    );
    host.processes.clear();
    assert!(!entry.still_running(&host));

    let dir = std::env::temp_dir().join(format!("logoff-all-journal-{me}"));
    std::fs::create_dir_all(&dir).unwrap();
    host.journal = Some(dir.join("drain.json"));
    let journal = Journal::open(&host).unwrap();
    assert_eq!(journal.read(), Ok(None));
    journal.write(&entry).unwrap();
    assert_eq!(journal.read(), Ok(Some(entry)));
    journal.remove().unwrap();
    assert_eq!(journal.read(), Ok(None));
    std::fs::write(&journal.path, "{").unwrap();
    assert!(journal.read().is_err(), "a broken note is an error");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A second Ctrl-C during `change logon /drain` may find the mode not drained yet; the run's
/// own restore looks once more once that call has ended, and puts the mode back.
#[test]
fn a_drain_that_lands_after_the_second_ctrl_c_looked_is_still_restored() {
    let mode = Arc::new(Mutex::new(LogonMode::Enable));
    let host = change_host_with(Arc::clone(&mode), None);
    let undo = Undo::default();
    let (mut guard, drained) =
        Guard::drain(change_of(&host), LogonMode::Enable, LogonMode::Drain, &undo);
    assert_eq!(drained, Ok(Drained::Set));
    // The Ctrl-C's look came before the drain took effect ...
    *mode.lock().unwrap() = LogonMode::Enable;
    assert_eq!(
        undo.restore_now(&host, Duration::from_secs(1)),
        Some(Ok(Restore::Unchanged(LogonMode::Enable)))
    );
    // ... which it then did.
    *mode.lock().unwrap() = LogonMode::Drain;
    assert_eq!(guard.restore(), Ok(Restore::Restored(LogonMode::Enable)));
    assert_eq!(*mode.lock().unwrap(), LogonMode::Enable);
}
