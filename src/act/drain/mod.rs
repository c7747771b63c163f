//! Drain: `--drain` records the logon mode with the stock `change logon /query`, sets
//! `change logon /drain` before anyone is warned or logged off, and puts the recorded mode back
//! at the end, always: a guard restores it when dropped, the run restores it explicitly, and the
//! second Ctrl-C (which ends the process) restores it through [`Undo::restore_before_exit`].

use crate::host::runner::RunError;
use crate::host::{Call, Host, HostError, LogonMode};
use crate::vocab::one_line;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The sentences `change logon /query` prints, normalised (lower case, single spaces, no final
/// period), and the mode each means. Anything else is not understood and nothing is changed.
const SENTENCES: &[(&str, LogonMode)] = &[
    ("connections are currently enabled", LogonMode::Enable),
    ("connections are currently disabled", LogonMode::Disable),
    (
        "new user logons are disabled, but reconnections to existing sessions are enabled",
        LogonMode::Drain,
    ),
    (
        "new user logons are disabled, but reconnections to existing sessions are enabled \
         until the server is restarted",
        LogonMode::DrainUntilRestart,
    ),
    // Windows Server 2003 wording.
    ("session logins are currently enabled", LogonMode::Enable),
    ("session logins are currently disabled", LogonMode::Disable),
];

/// Why the logon mode could not be read or set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum DrainError {
    /// `change` failed, timed out or could not be started.
    #[error("{0}")]
    Failed(String),
    /// `change logon /query` printed something that is not a known mode.
    #[error("{0}")]
    NotUnderstood(String),
}

/// Reads what `change logon /query` printed; `Err` quotes text that is not a known sentence.
pub(crate) fn parse_mode(text: &str) -> Result<LogonMode, String> {
    let normal = one_line(text).to_lowercase();
    let normal = normal.trim_end_matches('.').trim();
    SENTENCES
        .iter()
        .find(|(s, _)| *s == normal)
        .map(|(_, mode)| *mode)
        .ok_or_else(|| {
            format!(
                "change logon /query printed {}, which is not a logon mode this version knows; \
                 nothing was changed",
                crate::vocab::quote(&one_line(text))
            )
        })
}

/// A mode in words, as the report says it.
pub(crate) fn describe(mode: LogonMode) -> &'static str {
    match mode {
        LogonMode::Query => "unknown",
        LogonMode::Enable => "enabled",
        LogonMode::Disable => "disabled",
        LogonMode::Drain => "drain",
        LogonMode::DrainUntilRestart => "drain until restart",
    }
}

/// How `change` is run.
#[derive(Clone, Copy)]
pub(crate) struct Change<'a> {
    /// Runs the program (always on this computer: `change logon` has no `/server:`).
    pub(crate) host: &'a dyn Host,
    /// Time each `change` may take.
    pub(crate) timeout: Duration,
    /// Decodes what it printed.
    pub(crate) text: &'a dyn Fn(&[u8]) -> String,
}

impl Change<'_> {
    /// Runs `change logon SWITCH`; returns what it printed (one line), or why it failed.
    fn run(&self, mode: LogonMode) -> Result<String, String> {
        let what = format!("change logon {}", mode.switch());
        match self.host.run(&Call::ChangeLogon(mode), None, self.timeout) {
            Ok(o) => {
                let said = one_line(&[(self.text)(&o.stdout), (self.text)(&o.stderr)].join(" "));
                if o.success() {
                    Ok(said)
                } else {
                    Err(format!(
                        "{what} failed with exit code {}{}{said}",
                        o.code.unwrap_or(-1),
                        if said.is_empty() { "" } else { ": " }
                    ))
                }
            }
            Err(HostError::Run(RunError::TimedOut { timeout, .. })) => Err(format!(
                "{what} did not finish within {} s and was stopped",
                timeout.as_secs_f64()
            )),
            Err(e) => Err(format!("{what}: {e}")),
        }
    }

    /// The current mode, from `change logon /query`.
    pub(crate) fn query(&self) -> Result<LogonMode, DrainError> {
        let said = self.run(LogonMode::Query).map_err(DrainError::Failed)?;
        parse_mode(&said).map_err(DrainError::NotUnderstood)
    }

    /// Sets `mode` and reads it back; `Err` when either fails or the mode read back differs.
    fn set(&self, mode: LogonMode) -> Result<(), DrainError> {
        self.run(mode).map_err(DrainError::Failed)?;
        match self.query()? {
            now if now == mode => Ok(()),
            now => Err(DrainError::Failed(format!(
                "after change logon {} the mode is {}, not {}",
                mode.switch(),
                describe(now),
                describe(mode)
            ))),
        }
    }
}

/// What [`Guard::drain`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Drained {
    /// Logons were enabled and are now drained (read back); the guard restores them.
    Set,
    /// New logons were already blocked (disabled, drain or drain until restart): nothing was
    /// changed, so nothing will be restored.
    AlreadyBlocked(LogonMode),
}

/// A drain in force: restores the recorded mode when [`Guard::restore`] is called or, failing
/// that, when dropped.
pub(crate) struct Guard<'a> {
    change: Change<'a>,
    recorded: LogonMode,
    /// Shared with the handler of a second Ctrl-C, which restores the mode before it exits.
    undo: &'a Undo,
    /// Whether the mode may have been changed and must be put back to the recorded one.
    pending: bool,
}

impl<'a> Guard<'a> {
    /// Drains logons when the recorded mode lets new users in. The guard is returned also when
    /// setting the drain failed (it may have half-happened), so the mode is put back either way.
    /// `undo` is the run's record of what to put back, which the Ctrl-C handler also holds.
    pub(crate) fn drain(
        change: Change<'a>,
        recorded: LogonMode,
        undo: &'a Undo,
    ) -> (Guard<'a>, Result<Drained, DrainError>) {
        let mut guard = Guard {
            change,
            recorded,
            undo,
            pending: false,
        };
        if recorded != LogonMode::Enable {
            return (guard, Ok(Drained::AlreadyBlocked(recorded)));
        }
        // Armed before the call: a timeout may leave the mode changed.
        undo.set(Pending::Armed(recorded));
        guard.pending = true;
        let result = change.set(LogonMode::Drain).map(|()| Drained::Set);
        (guard, result)
    }

    /// The mode recorded before the run.
    pub(crate) fn recorded(&self) -> LogonMode {
        self.recorded
    }

    /// Puts the recorded mode back and reads it back. `Ok(None)`: there was nothing to restore
    /// (never changed, or already restored, also by the Ctrl-C handler).
    pub(crate) fn restore(&mut self) -> Result<Option<LogonMode>, DrainError> {
        if !std::mem::take(&mut self.pending) {
            return Ok(None);
        }
        if !self.undo.begin_restore() {
            // The second Ctrl-C took it over; it finishes before the process ends.
            return Ok(None);
        }
        // Once more on failure: a Ctrl-C may have ended the first `change` (restoring twice
        // is harmless).
        let result = self
            .change
            .set(self.recorded)
            .or_else(|_| self.change.set(self.recorded))
            .map(|()| Some(self.recorded));
        self.undo.set(Pending::Restored);
        result
    }
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        if self.pending {
            if let Err(e) = self.restore() {
                eprintln!(
                    "logoff-all: error: the logon mode was not restored: {e}; run `change logon {}` \
                     yourself",
                    self.recorded.switch()
                );
            }
        }
    }
}

/// Where a drain to undo stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Pending {
    /// Nothing to undo.
    #[default]
    Nothing,
    /// This mode must be put back.
    Armed(LogonMode),
    /// The restore is running.
    Restoring,
    /// The restore is over (whoever ran it).
    Restored,
}

/// The run's record of a drain to undo. The run creates it and hands it both to the drain
/// ([`Guard::drain`]) and to the handler of a second Ctrl-C, which ends the process and so must
/// put the mode back first ([`Undo::restore_before_exit`]). No global state: each run has its
/// own.
#[derive(Debug, Default)]
pub(crate) struct Undo(Mutex<Pending>);

impl Undo {
    fn lock(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set(&self, pending: Pending) {
        *self.lock() = pending;
    }

    /// Marks the restore as running; `false` when the Ctrl-C handler already took it.
    fn begin_restore(&self) -> bool {
        let mut p = self.lock();
        match *p {
            Pending::Armed(_) => {
                *p = Pending::Restoring;
                true
            }
            Pending::Restoring | Pending::Restored => false,
            Pending::Nothing => true,
        }
    }

    /// For the handler of the second Ctrl-C, which ends the process: puts back a drained logon
    /// mode first (or waits up to `timeout` for a restore already running). Returns what it
    /// did, for the handler to print.
    pub(crate) fn restore_before_exit(
        &self,
        host: &dyn Host,
        timeout: Duration,
    ) -> Option<Result<(), DrainError>> {
        let armed = {
            let mut p = self.lock();
            match *p {
                Pending::Nothing | Pending::Restored => return None,
                Pending::Armed(mode) => {
                    *p = Pending::Restoring;
                    Some(mode)
                }
                Pending::Restoring => None,
            }
        };
        let Some(mode) = armed else {
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
        .set(mode);
        self.set(Pending::Restored);
        Some(result)
    }
}

pub(crate) mod run;

#[cfg(test)]
mod tests;
