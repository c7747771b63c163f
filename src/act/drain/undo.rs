//! Undo: the run's record of a drain to put back, shared with the handler of a second Ctrl-C,
//! so that the mode is restored once, by whichever comes first.

use super::{Change, DrainError, Restore};
use crate::host::{Host, LogonMode};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Where a drain to undo stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Pending {
    /// Nothing to undo.
    #[default]
    Nothing,
    /// `recorded` must be put back while the mode is still `target`.
    Armed {
        /// The mode before the run.
        recorded: LogonMode,
        /// The mode the run set.
        target: LogonMode,
    },
    /// The restore is running.
    Restoring,
    /// The restore is over (whoever ran it).
    Restored,
}

/// The run's record of a drain to undo. The run creates it and hands it both to the drain
/// ([`super::Guard::drain`]) and to the handler of a second Ctrl-C, which puts the mode back at once
/// ([`Undo::restore_now`]) while the run finishes the call in progress and writes its report.
/// No global state: each run has its own.
#[derive(Debug, Default)]
pub(crate) struct Undo {
    pending: Mutex<Pending>,
    /// What the second Ctrl-C's restore did, for the run to report.
    by_ctrl_c: Mutex<Option<Result<Restore, DrainError>>>,
}

impl Undo {
    fn lock(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for the second Ctrl-C's restore to end (each of its calls has a timeout) and
    /// returns what it did; `Nothing` when it had nothing to do.
    pub(super) fn restored_by_ctrl_c(&self) -> Result<Restore, DrainError> {
        while *self.lock() == Pending::Restoring {
            std::thread::sleep(Duration::from_millis(50));
        }
        self.by_ctrl_c
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .unwrap_or(Ok(Restore::Nothing))
    }

    pub(super) fn set(&self, pending: Pending) {
        *self.lock() = pending;
    }

    /// Marks the restore as running; `false` when the Ctrl-C handler already took it.
    pub(super) fn begin_restore(&self) -> bool {
        let mut p = self.lock();
        match *p {
            Pending::Armed { .. } => {
                *p = Pending::Restoring;
                true
            }
            Pending::Restoring | Pending::Restored => false,
            Pending::Nothing => true,
        }
    }

    /// For the handler of a second Ctrl-C: puts back a drained logon mode at once (or waits up
    /// to `timeout` for a restore already running), while the run finishes the call in
    /// progress. Returns what it did, for the handler to print; the run's own restore then
    /// returns it too, for the report and the audit log.
    pub(crate) fn restore_now(
        &self,
        host: &dyn Host,
        timeout: Duration,
    ) -> Option<Result<Restore, DrainError>> {
        let armed = {
            let mut p = self.lock();
            match *p {
                Pending::Nothing | Pending::Restored => return None,
                Pending::Armed { recorded, target } => {
                    *p = Pending::Restoring;
                    Some((recorded, target))
                }
                Pending::Restoring => None,
            }
        };
        let Some((recorded, target)) = armed else {
            let start = Instant::now();
            while *self.lock() == Pending::Restoring && start.elapsed() < timeout {
                std::thread::sleep(Duration::from_millis(50));
            }
            return None;
        };
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let result = Change {
            host,
            timeout,
            text: &text,
        }
        .restore_if_unchanged(recorded, target);
        *self.by_ctrl_c.lock().unwrap_or_else(|e| e.into_inner()) = Some(result.clone());
        self.set(Pending::Restored);
        Some(result)
    }
}
