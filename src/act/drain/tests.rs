//! Unit tests of `--drain`: reading the mode, draining, and restoring on every path.

use super::*;
use crate::host::fake::{exited, FakeHost};
use std::sync::Arc;

/// A stand-in `change` that keeps the mode; `fail` makes that switch fail.
fn change_host(start: LogonMode, fail: Option<LogonMode>) -> FakeHost {
    let mode = Arc::new(Mutex::new(start));
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
    let (mut guard, drained) = Guard::drain(change, recorded, &undo);
    assert_eq!(drained, Ok(Drained::Set));
    assert_eq!(guard.restore(), Ok(Some(LogonMode::Enable)));
    assert_eq!(guard.restore(), Ok(None), "restored once only");
    drop(guard);
    assert_eq!(
        switches(&host),
        ["/query", "/drain", "/query", "/enable", "/query"]
    );
}

#[test]
fn a_dropped_guard_restores_the_recorded_mode() {
    let host = change_host(LogonMode::Enable, None);
    let change = change_of(&host);
    {
        let undo = Undo::default();
        let (_guard, drained) = Guard::drain(change, LogonMode::Enable, &undo);
        assert!(drained.is_ok());
        // An early return or a panic unwinding past here drops the guard.
    }
    assert_eq!(switches(&host), ["/drain", "/query", "/enable", "/query"]);
}

#[test]
fn a_failed_drain_is_an_error_and_the_mode_is_still_restored() {
    let host = change_host(LogonMode::Enable, Some(LogonMode::Drain));
    let change = change_of(&host);
    let undo = Undo::default();
    let (mut guard, drained) = Guard::drain(change, LogonMode::Enable, &undo);
    assert!(matches!(drained, Err(DrainError::Failed(ref m)) if m.contains("Access is denied")));
    assert_eq!(guard.restore(), Ok(Some(LogonMode::Enable)));
    assert_eq!(switches(&host), ["/drain", "/enable", "/query"]);
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
        let (mut guard, drained) = Guard::drain(change, mode, &undo);
        assert_eq!(drained, Ok(Drained::AlreadyBlocked(mode)));
        assert_eq!(guard.restore(), Ok(None));
        drop(guard);
        assert!(host.argvs().is_empty(), "{mode:?}");
    }
}

#[test]
fn the_exit_path_of_a_second_ctrl_c_restores_once() {
    let host = change_host(LogonMode::Enable, None);
    let change = change_of(&host);
    let undo = Undo::default();
    let (mut guard, _) = Guard::drain(change, LogonMode::Enable, &undo);
    let other = change_host(LogonMode::Drain, None);
    assert!(matches!(
        undo.restore_before_exit(&other, Duration::from_secs(1)),
        Some(Ok(()))
    ));
    assert_eq!(switches(&other), ["/enable", "/query"]);
    // The run's own restore then finds nothing left to do.
    assert_eq!(guard.restore(), Ok(None));
    assert_eq!(switches(&host), ["/drain", "/query"]);
    assert!(undo
        .restore_before_exit(&other, Duration::from_secs(1))
        .is_none());
}

#[test]
fn a_restore_that_fails_is_tried_once_more_then_reported() {
    let host = change_host(LogonMode::Enable, Some(LogonMode::Enable));
    let change = change_of(&host);
    let undo = Undo::default();
    let (mut guard, drained) = Guard::drain(change, LogonMode::Enable, &undo);
    assert!(drained.is_ok());
    let e = guard.restore().unwrap_err();
    assert!(e.to_string().contains("change logon /enable failed"), "{e}");
    assert_eq!(switches(&host), ["/drain", "/query", "/enable", "/enable"]);
}
