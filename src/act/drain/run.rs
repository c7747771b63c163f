//! Drain in the run: `--drain` only on this computer; the logon mode is recorded before the
//! prompt (so an unknown mode stops the run before anyone is asked), drained after the prompt and
//! before any warning or logoff, and restored when the acting is over, whatever happened.

use crate::act::drain::journal::{Entry, Journal};
use crate::act::drain::{describe, Change, DrainError, Drained, Guard, Restore};
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
    let change = Change::of(stage);
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

/// The mode `--drain` sets: drain, or drain until restart.
fn target(config: &Config) -> LogonMode {
    if config.drain_until_restart {
        LogonMode::DrainUntilRestart
    } else {
        LogonMode::Drain
    }
}

/// Drains (when `recorded` says to), runs `act`, and restores the recorded mode if it is still
/// the one this run set. A drain that cannot be set, or whose journal cannot be written, stops
/// the run before anyone is warned or logged off.
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
    let change = Change::of(stage);
    let target = target(stage.config);
    // Written down before the drain, so that a run killed from outside leaves a trace the next
    // run mends; not needed for drain until restart, which the restart ends.
    let journal = match (recorded, target) {
        (LogonMode::Enable, LogonMode::Drain) => match Journal::open(stage.host).and_then(|j| {
            j.write(&Entry::this_run(stage.host, recorded, target))
                .map(|()| j)
        }) {
            Ok(j) => Some(j),
            Err(e) => {
                stage.say(&format!(
                    "error: --drain: the drain journal could not be written ({e}), so a run \
                     killed from outside could leave logons drained; nothing was drained and \
                     nobody was warned or logged off"
                ));
                not_run(results);
                return Cause::LogoffFailed.into();
            }
        },
        _ => None,
    };
    let (mut guard, drained) = Guard::drain(change, recorded, target, stage.undo);
    let mut code = ExitCode::SUCCESS;
    match drained {
        Ok(Drained::Set) => {
            record(stage, "drained", target);
            note(
                stage,
                results,
                &format!(
                    "new logons drained (change logon {}) during the run",
                    target.switch()
                ),
            );
            act(results);
            if target == LogonMode::DrainUntilRestart {
                guard.keep();
                note(
                    stage,
                    results,
                    "logon mode left at drain until restart: the next restart enables logons",
                );
            }
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
            not_run(results);
            code = Cause::LogoffFailed.into();
        }
    }
    let restored = guard.restore();
    let failed = restored.is_err();
    code = exit_code::fold([code, said(stage, results, restored, recorded, "restored")]);
    if let Some(journal) = journal {
        // Kept when the restore failed: the next run tries again.
        if !failed {
            if let Err(e) = journal.remove() {
                note(
                    stage,
                    results,
                    &format!("the drain journal could not be removed: {e}"),
                );
            }
        }
    }
    code
}

/// Every planned session of `results` not run.
fn not_run(results: &mut [ServerResult]) {
    for r in results.iter_mut() {
        if let Some(done) = r.done.as_mut() {
            let mut outcomes = vec![None; done.plan.entries.len()];
            for i in done.plan.logoff_order() {
                outcomes[i] = Some(Outcome::NotRun);
            }
            done.outcomes = Some(outcomes);
        }
    }
}

/// Says what a restore did (stderr, report, audit log) and returns its exit code: a mode left
/// alone because someone changed it, or one not restored, sets the "logoff failed" bit.
fn said(
    stage: &Stage<'_>,
    results: &mut [ServerResult],
    restored: Result<Restore, DrainError>,
    recorded: LogonMode,
    step: &str,
) -> ExitCode {
    match restored {
        Ok(Restore::Nothing) => ExitCode::SUCCESS,
        Ok(Restore::Restored(mode)) => {
            record(stage, step, mode);
            note(
                stage,
                results,
                &format!(
                    "logon mode restored to {} (change logon {}, read back)",
                    describe(mode),
                    mode.switch()
                ),
            );
            ExitCode::SUCCESS
        }
        Ok(Restore::Unchanged(mode)) => {
            note(
                stage,
                results,
                &format!(
                    "the logon mode is {} as before the run; nothing to restore",
                    describe(mode)
                ),
            );
            ExitCode::SUCCESS
        }
        Ok(Restore::LeftAlone(now)) => {
            record(stage, "left_alone", now);
            let line = format!(
                "warning: the logon mode was changed to {} by someone else during the run, so \
                 it was left so and not restored to {}; run `change logon {}` yourself if \
                 that is what you want",
                describe(now),
                describe(recorded),
                recorded.switch()
            );
            stage.say(&format!("--drain: {line}"));
            if let Some(first) = results.first_mut() {
                first.warnings.push(format!("--drain: {line}"));
            }
            Cause::LogoffFailed.into()
        }
        Err(e) => {
            record(stage, "not_restored", recorded);
            let line = format!(
                "the logon mode was NOT restored: {e}; run `change logon {}` yourself",
                recorded.switch()
            );
            stage.say(&format!("error: {line}"));
            if let Some(first) = results.first_mut() {
                first.warnings.push(format!("--drain: {line}"));
            }
            Cause::LogoffFailed.into()
        }
    }
}

/// Mends a drain left behind by a run that is gone (its journal is still there): puts the mode
/// it recorded back when the mode is still the one it set, and removes the note. A run that
/// still runs is left alone. `results` get the notes (may be empty: `--restore-logons`).
/// `explicit`: asked for by `--restore-logons`, which also says when there is nothing to do.
pub(crate) fn mend(stage: &Stage<'_>, results: &mut [ServerResult], explicit: bool) -> ExitCode {
    let journal = match Journal::open(stage.host) {
        Ok(j) => j,
        Err(e) => {
            if explicit {
                stage.say(&format!(
                    "error: --restore-logons: there is no drain journal to read: {e}"
                ));
                return Cause::LogoffFailed.into();
            }
            return ExitCode::SUCCESS;
        }
    };
    let entry = match journal.read() {
        Ok(Some(entry)) => entry,
        Ok(None) => {
            if explicit {
                stage.say("--restore-logons: no run left logons drained; nothing to do");
            }
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            stage.say(&format!(
                "error: the drain journal of an earlier run cannot be read: {e}; check the \
                 logon mode with `change logon /query`, then delete the file"
            ));
            return Cause::LogoffFailed.into();
        }
    };
    let Some((recorded, set)) = entry.modes() else {
        stage.say(&format!(
            "error: the drain journal {} names a mode this version does not know; check the \
             logon mode with `change logon /query`, then delete the file",
            journal.path.display()
        ));
        return Cause::LogoffFailed.into();
    };
    if entry.pid == std::process::id() || entry.still_running(stage.host) {
        stage.say(&format!(
            "--drain: process {} drained logons and still runs; its drain was left to it",
            entry.pid
        ));
        return ExitCode::SUCCESS;
    }
    let change = Change::of(stage);
    let restored = change.restore_if_unchanged(recorded, set);
    let code = match restored {
        Ok(Restore::Restored(mode)) => {
            record(stage, "restored_after_ended_run", mode);
            note(
                stage,
                results,
                &format!(
                    "an earlier run (process {}) ended without restoring the logon mode; it was \
                     restored to {} (change logon {}, read back)",
                    entry.pid,
                    describe(mode),
                    mode.switch()
                ),
            );
            ExitCode::SUCCESS
        }
        Ok(Restore::Unchanged(_)) | Ok(Restore::Nothing) => ExitCode::SUCCESS,
        Ok(Restore::LeftAlone(now)) => {
            record(stage, "left_alone", now);
            note(
                stage,
                results,
                &format!(
                    "an earlier run (process {}) ended while logons were drained, but the logon \
                     mode is now {}, set by someone else; it was left so",
                    entry.pid,
                    describe(now)
                ),
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            stage.say(&format!(
                "error: an earlier run (process {}) left logons drained and they could not be \
                 restored: {e}; run `change logon {}` yourself",
                entry.pid,
                recorded.switch()
            ));
            return Cause::LogoffFailed.into();
        }
    };
    if let Err(e) = journal.remove() {
        stage.say(&format!(
            "error: the drain journal could not be removed: {e}; delete it yourself"
        ));
        return exit_code::fold([code, Cause::LogoffFailed.into()]);
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
