//! Drain in the run: `--drain` only on this computer; the logon mode is recorded before the
//! prompt (so an unknown mode stops the run before anyone is asked), drained after the prompt and
//! before any warning or logoff, and restored when the acting is over, whatever happened.

use super::Ctx;
use crate::act::drain::{describe, Change, DrainError, Drained, Guard};
use crate::act::outcome::Outcome;
use crate::exit_code::{self, Cause, ExitCode};
use crate::host::{Locality, LogonMode};
use crate::report::audit;
use crate::report::ServerResult;

/// Refuses `--drain` with a target that is not this computer; the message says why.
pub(super) fn check_target(ctx: &Ctx<'_>) -> Result<(), String> {
    if !ctx.config.drain {
        return Ok(());
    }
    for server in ctx.config.targets().into_iter().flatten() {
        let why = match ctx.host.locality(&server) {
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
pub(super) fn prepare(ctx: &Ctx<'_>, planned: usize) -> Result<Option<LogonMode>, ExitCode> {
    let config = ctx.config;
    if !config.drain {
        return Ok(None);
    }
    if config.mode.is_dry_run() {
        ctx.say(
            "dry run: --drain would record the logon mode (change logon /query), set change \
             logon /drain before any warning or logoff, and restore the recorded mode at the end; \
             nothing was changed",
        );
        return Ok(None);
    }
    if planned == 0 {
        ctx.say("--drain: no session to act on, so the logon mode was left as it is");
        return Ok(None);
    }
    let text = |b: &[u8]| ctx.text(b);
    let change = Change {
        host: ctx.host,
        timeout: ctx.config.timeout,
        text: &text,
    };
    match change.query() {
        Ok(mode) => {
            record(ctx, "recorded", mode);
            Ok(Some(mode))
        }
        Err(e) => {
            ctx.say(&format!("error: --drain: {e}; nobody was logged off"));
            Err(match e {
                DrainError::NotUnderstood(_) => Cause::NotUnderstood.into(),
                DrainError::Failed(_) => Cause::QueryFailed.into(),
            })
        }
    }
}

/// Drains (when `recorded` says to), runs `act`, and restores the recorded mode. A drain that
/// cannot be set stops the run before anyone is warned or logged off.
pub(super) fn around(
    ctx: &Ctx<'_>,
    recorded: Option<LogonMode>,
    results: &mut [ServerResult],
    act: impl FnOnce(&mut [ServerResult]),
) -> ExitCode {
    let Some(recorded) = recorded else {
        act(results);
        return ExitCode::SUCCESS;
    };
    let text = |b: &[u8]| ctx.text(b);
    let change = Change {
        host: ctx.host,
        timeout: ctx.config.timeout,
        text: &text,
    };
    let (mut guard, drained) = Guard::drain(change, recorded);
    let mut code = ExitCode::SUCCESS;
    match drained {
        Ok(Drained::Set) => {
            record(ctx, "drained", LogonMode::Drain);
            note(
                ctx,
                results,
                "new logons drained (change logon /drain) during the run",
            );
            act(results);
        }
        Ok(Drained::AlreadyBlocked(mode)) => {
            note(
                ctx,
                results,
                &format!(
                    "new logons were already blocked (logon mode {}); left as it was",
                    describe(mode)
                ),
            );
            act(results);
        }
        Err(e) => {
            ctx.say(&format!(
                "error: --drain: {e}; nobody was warned or logged off"
            ));
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
            record(ctx, "restored", mode);
            note(
                ctx,
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
            ctx.say(&format!("error: {line}"));
            note(ctx, results, &line);
            code = exit_code::fold([code, Cause::LogoffFailed.into()]);
        }
    }
    code
}

/// Says a note on stderr and in the report (under the first server: this computer).
fn note(ctx: &Ctx<'_>, results: &mut [ServerResult], line: &str) {
    ctx.say(&format!("--drain: {line}"));
    if let Some(first) = results.first_mut() {
        first.warnings.push(format!("--drain: {line}"));
    }
}

/// One audit line per logon mode step.
fn record(ctx: &Ctx<'_>, step: &str, mode: LogonMode) {
    ctx.record(|| audit::logon_mode(step, describe(mode)));
}

#[cfg(test)]
mod tests {
    use crate::app::{run, Environment, Io};
    use crate::exit_code::ExitCode;
    use crate::host::fake::{exited, FakeHost};
    use crate::host::Call;

    const TABLE: &str = " SESSIONNAME       USERNAME                 ID  STATE
 rdp-tcp#1         alice                     1  Active
";

    #[test]
    fn a_declined_prompt_reads_the_mode_but_changes_nothing() {
        let args = ["logoff-all", "--drain"].map(std::ffi::OsString::from);
        let config = crate::config::from_args(args).unwrap();
        let host = FakeHost::new(|call, _| match call {
            Call::QuerySession => exited(0, TABLE, ""),
            Call::ChangeLogon(_) => exited(0, "Connections are currently ENABLED\r\n", ""),
            _ => exited(0, "", ""),
        });
        let env = Environment {
            interactive: true,
            ..Environment::default()
        };
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut input = "n\n".as_bytes();
        let code = run(
            &config,
            &host,
            &env,
            &mut Io {
                out: &mut out,
                err: &mut err,
                input: &mut input,
                console: None,
            },
        );
        assert_eq!(code, ExitCode::of(crate::exit_code::Cause::Cancelled));
        assert_eq!(host.argvs(), [vec!["session"], vec!["logon", "/query"]]);
        let err = String::from_utf8(err).unwrap();
        assert!(
            err.contains("Drain new logons (change logon /drain) and log off 1 session(s)"),
            "{err}"
        );
    }
}
