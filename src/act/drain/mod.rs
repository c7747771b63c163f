//! Drain: `--drain` records the logon mode (from the registry values `change logon` sets,
//! cross-checked with the text of `change logon /query`, which is the fallback), sets
//! `change logon /drain` (or `/drainuntilrestart`) before anyone is warned or logged off, and
//! puts the recorded mode back at the end, but only when the mode is still the one this run
//! set: a guard restores it when dropped, the run restores it explicitly, and a second Ctrl-C
//! restores it at once through [`Undo::restore_now`] (the run, which goes on to write its
//! report, then reports what that restore did). A journal ([`journal`]) lets the next run mend
//! a drain left by a run that was killed.

use crate::host::runner::RunError;
use crate::host::{Call, Host, HostError, LogonMode};
use crate::vocab::duration::Secs;
use crate::vocab::one_line;
use std::time::Duration;

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
/// Only a whole answer equal to a known sentence counts: the usage text, which names every mode
/// word, never does.
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
    /// Runs the program (always on this computer: `change logon` has no `/server:`), and reads
    /// the registry.
    pub(crate) host: &'a dyn Host,
    /// Time each `change` may take.
    pub(crate) timeout: Duration,
    /// Decodes what it printed.
    pub(crate) text: &'a dyn Decode,
}

/// Turns what a tool printed into text: a closure, or the stage (its code page).
pub(crate) trait Decode {
    /// The text of `bytes`.
    fn decode(&self, bytes: &[u8]) -> String;
}

impl<F: Fn(&[u8]) -> String> Decode for F {
    fn decode(&self, bytes: &[u8]) -> String {
        self(bytes)
    }
}

impl Decode for crate::act::Stage<'_> {
    fn decode(&self, bytes: &[u8]) -> String {
        self.text(bytes)
    }
}

impl<'a> Change<'a> {
    /// `change logon` as the run's stage runs it: its host, `--timeout`, its code page.
    pub(crate) fn of(stage: &'a crate::act::Stage<'_>) -> Change<'a> {
        Change {
            host: stage.host,
            timeout: stage.config.timeout,
            text: stage,
        }
    }
}

impl Change<'_> {
    /// Runs `change logon SWITCH`; returns its exit code and what it printed (one line), or why
    /// it did not run to its end.
    fn run(&self, mode: LogonMode) -> Result<(i32, String), String> {
        let what = format!("change logon {}", mode.switch());
        match self.host.run(&Call::ChangeLogon(mode), None, self.timeout) {
            Ok(o) => {
                let said =
                    one_line(&[self.text.decode(&o.stdout), self.text.decode(&o.stderr)].join(" "));
                Ok((o.code.unwrap_or(-1), said))
            }
            Err(HostError::Run(RunError::TimedOut { timeout, .. })) => Err(format!(
                "{what} did not finish within {} s and was stopped",
                Secs(timeout)
            )),
            Err(e) => Err(format!("{what}: {e}")),
        }
    }

    /// The current mode: the registry's when it can be read, cross-checked with what
    /// `change logon /query` printed; otherwise that text's, read by its words (its exit code
    /// says nothing: Windows 11 prints "Session logins are currently ENABLED" and exits 1).
    pub(crate) fn query(&self) -> Result<LogonMode, DrainError> {
        let registry = self.host.logon_mode();
        let said = self.run(LogonMode::Query);
        let text = said.as_ref().ok().map(|(_, t)| parse_mode(t));
        match (registry, said, text) {
            (Some(r), Ok((_, t)), Some(Ok(m))) if m != r => {
                Err(DrainError::NotUnderstood(format!(
                    "the registry says the logon mode is {}, but change logon /query printed {}; \
                 nothing was changed",
                    describe(r),
                    crate::vocab::quote(&t)
                )))
            }
            (Some(r), _, _) => Ok(r),
            (None, _, Some(Ok(m))) => Ok(m),
            // An answer carrying an error number (`Error [5]`, `Error 1722`, `0x5`, in any
            // language) is the tool failing, not a mode this version does not know.
            (None, Ok((code, t)), _)
                if code != 0 && !crate::act::classify::error_codes(&t).is_empty() =>
            {
                Err(DrainError::Failed(format!(
                    "change logon /query failed with exit code {code}: {}",
                    crate::vocab::one_line(&t)
                )))
            }
            (None, Ok((code, t)), _) => Err(DrainError::NotUnderstood(format!(
                "change logon /query exited with {code} and printed {}, which is not a logon \
                 mode this version knows, and the registry values that hold the mode could not \
                 be read; nothing was changed",
                crate::vocab::quote(&t)
            ))),
            (None, Err(e), _) => Err(DrainError::Failed(e)),
        }
    }

    /// Sets `mode` and reads it back; `Err` when `change` did not finish or the mode read back
    /// differs (its exit code alone decides nothing).
    fn set(&self, mode: LogonMode) -> Result<(), DrainError> {
        let (code, said) = self.run(mode).map_err(DrainError::Failed)?;
        match self.query() {
            Ok(now) if now == mode => Ok(()),
            Ok(now) => Err(DrainError::Failed(format!(
                "after change logon {} (exit code {code}{}{said}) the mode is {}, not {}",
                mode.switch(),
                if said.is_empty() { "" } else { ": " },
                describe(now),
                describe(mode)
            ))),
            Err(e) => Err(DrainError::Failed(format!(
                "after change logon {} (exit code {code}{}{said}) the mode could not be read \
                 back: {e}",
                mode.switch(),
                if said.is_empty() { "" } else { ": " },
            ))),
        }
    }

    /// Puts `recorded` back when the mode is still `set` (what a run set); leaves any other
    /// mode as it is.
    pub(crate) fn restore_if_unchanged(
        &self,
        recorded: LogonMode,
        set: LogonMode,
    ) -> Result<Restore, DrainError> {
        // Once more on failure: a Ctrl-C may have ended the first `change`.
        let now = self.query().or_else(|_| self.query())?;
        if now == recorded {
            return Ok(Restore::Unchanged(now));
        }
        if now != set {
            return Ok(Restore::LeftAlone(now));
        }
        self.set(recorded)
            .or_else(|_| self.set(recorded))
            .map(|()| Restore::Restored(recorded))
    }
}

/// What a restore did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Restore {
    /// Nothing to do: never changed, or already restored (also by the Ctrl-C handler).
    Nothing,
    /// The mode was already the recorded one (the drain did not take, or was undone).
    Unchanged(LogonMode),
    /// Put back to this mode, read back.
    Restored(LogonMode),
    /// Someone else set this mode during the run: it was left as it is.
    LeftAlone(LogonMode),
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
    /// The mode this run sets: drain, or drain until restart.
    target: LogonMode,
    /// Shared with the handler of a second Ctrl-C, which restores the mode at once.
    undo: &'a Undo,
    /// Whether the mode may have been changed and must be put back to the recorded one.
    pending: bool,
}

impl<'a> Guard<'a> {
    /// Sets `target` (drain or drain until restart) when the recorded mode lets new users in.
    /// The guard is returned also when setting it failed (it may have half-happened), so the
    /// mode is put back either way. `undo` is the run's record of what to put back, which the
    /// Ctrl-C handler also holds.
    pub(crate) fn drain(
        change: Change<'a>,
        recorded: LogonMode,
        target: LogonMode,
        undo: &'a Undo,
    ) -> (Guard<'a>, Result<Drained, DrainError>) {
        let mut guard = Guard {
            change,
            recorded,
            target,
            undo,
            pending: false,
        };
        if recorded != LogonMode::Enable {
            return (guard, Ok(Drained::AlreadyBlocked(recorded)));
        }
        // Armed before the call: a timeout may leave the mode changed.
        undo.set(Pending::Armed { recorded, target });
        guard.pending = true;
        let result = change.set(target).map(|()| Drained::Set);
        (guard, result)
    }

    /// Keeps the mode set (drain until restart, which the next restart ends): nothing is
    /// restored, not even by a second Ctrl-C.
    pub(crate) fn keep(&mut self) {
        self.pending = false;
        self.undo.set(Pending::Nothing);
    }

    /// Puts the recorded mode back when the mode is still the one this run set, and reads it
    /// back.
    pub(crate) fn restore(&mut self) -> Result<Restore, DrainError> {
        if !std::mem::take(&mut self.pending) {
            return Ok(Restore::Nothing);
        }
        if !self.undo.begin_restore() {
            // The second Ctrl-C took it over: what it did is this restore's result. When it
            // found nothing to put back, the drain may have been still on its way (the Ctrl-C
            // came during `change logon /drain`): one more look, now that it has ended.
            return match self.undo.restored_by_ctrl_c() {
                Ok(Restore::Unchanged(_)) => {
                    self.change.restore_if_unchanged(self.recorded, self.target)
                }
                other => other,
            };
        }
        let result = self.change.restore_if_unchanged(self.recorded, self.target);
        self.undo.set(Pending::Restored);
        result
    }
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        if self.pending {
            match self.restore() {
                Err(e) => eprintln!(
                    "logoff-all: error: the logon mode was not restored: {e}; run `change logon {}` \
                     yourself",
                    self.recorded.switch()
                ),
                Ok(Restore::LeftAlone(now)) => eprintln!(
                    "logoff-all: warning: the logon mode was changed to {} during the run and was \
                     left so",
                    describe(now)
                ),
                Ok(_) => {}
            }
        }
    }
}

pub(crate) mod journal;
mod undo;

use undo::Pending;
pub(crate) use undo::Undo;
pub(crate) mod run;

#[cfg(test)]
mod tests;
