//! Drain in the run: `--drain` only on this computer; the logon mode is recorded before the
//! prompt (so an unknown mode stops the run before anyone is asked), drained after the prompt and
//! before any warning or logoff, and restored when the acting is over, whatever happened.

use crate::act::drain::{describe, Change, DrainError, Drained, Guard};
use crate::act::outcome::Outcome;
use crate::act::results::ServerResult;
use crate::act::{Record, Stage};
use crate::config::Config;
use crate::exit_code::{self, Cause, ExitCode};
use crate::host::{Host, Locality, LogonMode};

/// Refuses `--drain` with a target that is not this computer; the message says why.
pub(crate) fn check_target(config: &Config, host: &dyn Host) -> Result<(), String> {
    if !config.drain {
        return Ok(());
    }
    for server in config.targets().into_iter().flatten() {
        let why = match host.locality(&server) {
            Locality::Local => continue,
            Locality::Remote => "is another computer",
            Locality::Unknown => "cannot be told to be this computer",
        };
        return Err(format!(
            "--drain works on this computer only: `change logon` has no /server:, and {server} \
             {why}; run logoff-all --drain on {server} itself (nothing was done)"
        ));
    }
    Ok(())
}

/// Before the prompt: the recorded mode when `--drain` will drain, `None` when it will not (no
/// `--drain`, a dry run, nothing to do; each said). `Err` when the mode cannot be read: nothing
/// was done and the run ends with that code.
pub(crate) fn prepare(stage: &Stage<'_>, planned: usize) -> Result<Option<LogonMode>, ExitCode> {
    let config = stage.config;
    if !config.drain {
        return Ok(None);
    }
    if config.mode.is_dry_run() {
        stage.say(
            "dry run: --drain would record the logon mode (change logon /query), set change \
             logon /drain before any warning or logoff, and restore the recorded mode at the end; \
             nothing was changed",
        );
        return Ok(None);
    }
    if planned == 0 {
        stage.say("--drain: no session to act on, so the logon mode was left as it is");
        return Ok(None);
    }
    let text = |b: &[u8]| stage.text(b);
    let change = Change {
        host: stage.host,
        timeout: stage.config.timeout,
        text: &text,
    };
    match change.query() {
        Ok(mode) => {
            record(stage, "recorded", mode);
            Ok(Some(mode))
        }
        Err(e) => {
            stage.say(&format!("error: --drain: {e}; nobody was logged off"));
            Err(match e {
                DrainError::NotUnderstood(_) => Cause::NotUnderstood.into(),
                DrainError::Failed(_) => Cause::QueryFailed.into(),
            })
        }
    }
}

/// Drains (when `recorded` says to), runs `act`, and restores the recorded mode. A drain that
/// cannot be set stops the run before anyone is warned or logged off.
pub(crate) fn around(
    stage: &Stage<'_>,
    recorded: Option<LogonMode>,
    results: &mut [ServerResult],
    act: impl FnOnce(&mut [ServerResult]),
) -> ExitCode {
    let Some(recorded) = recorded else {
        act(results);
        return ExitCode::SUCCESS;
    };
    let text = |b: &[u8]| stage.text(b);
    let change = Change {
        host: stage.host,
        timeout: stage.config.timeout,
        text: &text,
    };
    let (mut guard, drained) = Guard::drain(change, recorded, stage.undo);
    let mut code = ExitCode::SUCCESS;
    match drained {
        Ok(Drained::Set) => {
            record(stage, "drained", LogonMode::Drain);
            note(
                stage,
                results,
                "new logons drained (change logon /drain) during the run",
            );
            act(results);
        }
        Ok(Drained::AlreadyBlocked(mode)) => {
            note(
                stage,
                results,
                &format!(
                    "new logons were already blocked (logon mode {}); left as it was",
                    describe(mode)
                ),
            );
            act(results);
        }
        Err(e) => {
            stage.say(&format!(
                "error: --drain: {e}; nobody was warned or logged off"
            ));
            // The report's own reason for exit bit 1 here: no logoff failed, the drain did.
            if let Some(first) = results.first_mut() {
                first.warnings.push(format!(
                    "drain_failed: --drain could not block new logons: {e}; nobody was warned or \
                     logged off"
                ));
            }
            for r in results.iter_mut() {
                if let Some(done) = r.done.as_mut() {
                    let mut outcomes = vec![None; done.plan.entries.len()];
                    for i in done.plan.logoff_order() {
                        outcomes[i] = Some(Outcome::NotRun);
                    }
                    done.outcomes = Some(outcomes);
                }
            }
            code = Cause::LogoffFailed.into();
        }
    }
    match guard.restore() {
        Ok(Some(mode)) => {
            record(stage, "restored", mode);
            note(
                stage,
                results,
                &format!(
                    "logon mode restored to {} (change logon {}, read back)",
                    describe(mode),
                    mode.switch()
                ),
            );
        }
        Ok(None) => {}
        Err(e) => {
            let line = format!(
                "the logon mode was NOT restored: {e}; run `change logon {}` yourself",
                guard.recorded().switch()
            );
            stage.say(&format!("error: {line}"));
            note(stage, results, &line);
            code = exit_code::fold([code, Cause::LogoffFailed.into()]);
        }
    }
    code
}

/// Says a note on stderr and in the report (under the first server: this computer).
fn note(stage: &Stage<'_>, results: &mut [ServerResult], line: &str) {
    stage.say(&format!("--drain: {line}"));
    if let Some(first) = results.first_mut() {
        first.warnings.push(format!("--drain: {line}"));
    }
}

/// One audit line per logon mode step.
fn record(stage: &Stage<'_>, step: &str, mode: LogonMode) {
    stage.events.record(Record::LogonMode { step, mode });
}
