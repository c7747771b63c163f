//! Logoffs on one server: re-check a stale table before every logoff (and after any logoff that
//! failed or timed out), log off, then verify that the sessions went and, with `--reset-stuck`,
//! reset the ones that stayed.

use super::{server_of, survey, Ctx};
use crate::act::execute::{self, Check, Logoff};
use crate::act::outcome::Outcome;
use crate::act::recheck::{self, Found};
use crate::act::verify::{self, Look, Reset};
use crate::config::Mode;
use crate::error::Error;
use crate::plan::{Action, Plan, Reason};
use crate::report::audit;
use crate::report::ServerResult;
use crate::vocab::text::escape_for_display;
use crate::vocab::ServerName;
use crate::vocab::Verb;

/// Re-check, log off, verify and reset on one server.
pub(super) fn run(ctx: &Ctx<'_>, result: &mut ServerResult) {
    let server = server_of(ctx, result);
    let ServerResult {
        server: label,
        done,
        error,
        warnings,
        ..
    } = result;
    let label = label.as_str();
    let Some(done) = done.as_mut() else {
        return;
    };
    if done.plan.logoff_order().is_empty() {
        return;
    }
    let mut outcomes = vec![None; done.plan.entries.len()];
    // The caller's own session (planned last, with --include-self) waits for everything else:
    // every server, the report and the logon-mode restore; ending it ends this program.
    for index in done.plan.logoff_order() {
        if done.plan.entries[index].current {
            outcomes[index] = Some(Outcome::AfterReport);
        }
    }
    let text = |b: &[u8]| ctx.text(b);
    let stop = || ctx.stopping();
    let mut dropped: Vec<(usize, Reason)> = Vec::new();
    {
        let plan = &done.plan;
        let mut read_at = done.read_at;
        // After --warn the table is always read again, however short the grace period.
        let mut force = ctx.config.warning.is_some();
        let mut latest: Option<Plan> = None;
        let mut check = |index: usize, after_failure: bool| -> Check {
            let Some(planned) = plan.entries[index].session() else {
                return Check::Dropped;
            };
            let age = read_at.elapsed();
            let why = if force {
                Some("after the --warn grace period".to_string())
            } else if after_failure {
                Some("after a logoff that failed or timed out".to_string())
            } else if age > ctx.env.recheck_after {
                Some(format!("the table was {} s old", age.as_secs()))
            } else {
                None
            };
            if let Some(why) = &why {
                ctx.say(&format!(
                    "{label}: reading the table again before logging off session {} ({why})",
                    planned.id
                ));
                match survey::read_plan(ctx, server.as_ref(), None, warnings) {
                    Ok((fresh, _, at, _)) => {
                        read_at = at;
                        force = false;
                        latest = Some(fresh);
                    }
                    Err(e) => {
                        *error = Some(Error::Recheck(Box::new(e)));
                        return Check::Stop;
                    }
                }
            }
            let Some(fresh) = &latest else {
                return Check::Go;
            };
            let checked = match &why {
                Some(why) => {
                    format!("query session again, {why}; ID, user and session name compared")
                }
                None => format!(
                    "query session read {} s before; ID, user and session name compared",
                    read_at.elapsed().as_secs()
                ),
            };
            match recheck::compare(planned, fresh, &checked) {
                Found::Same => Check::Go,
                Found::Gone(m) => Check::Settled(Outcome::GoneBeforeLogoff(m)),
                Found::Reused(m) => Check::Settled(Outcome::ReusedId(m)),
                Found::NoLongerMatches(reason) => {
                    dropped.push((index, reason));
                    Check::Dropped
                }
            }
        };
        execute::execute(
            plan,
            &mut outcomes,
            &Logoff {
                host: ctx.host,
                server: server.as_ref(),
                timeout: ctx.config.timeout,
                text: &text,
                stop: &stop,
                verb: ctx.config.verb,
            },
            &mut check,
            &mut |index, outcome| progress(ctx, label, plan, index, outcome, true),
        );
    }
    for (index, reason) in dropped {
        let entry = &mut done.plan.entries[index];
        entry.action = Action::Skip;
        entry.reason = reason;
        ctx.record(|| audit::decision(label, entry, Mode::Act, ctx.config.verb));
    }
    if error.is_none() && !ctx.stopping() {
        verify_and_reset(ctx, server.as_ref(), label, &done.plan, &mut outcomes);
    } else {
        let why = if ctx.stopping() {
            "stopped by Ctrl-C"
        } else {
            "the re-check failed, so the run on this server stopped"
        };
        for o in outcomes.iter_mut() {
            if let Some(Outcome::LoggedOffUnverified(m)) = o {
                *m = format!("logoff succeeded, not verified: {why}");
            }
            // The own session kept for last is not logged off on a server whose run stopped.
            if *o == Some(Outcome::AfterReport) {
                *o = Some(Outcome::NotRun);
            }
        }
    }
    done.outcomes = Some(outcomes);
}

/// Tells the `--log` what became of one logoff, and stderr too when `say` (its line holds
/// only the outcome's code, so a change of words alone is not said again).
fn progress(ctx: &Ctx<'_>, label: &str, plan: &Plan, index: usize, outcome: &Outcome, say: bool) {
    let entry = &plan.entries[index];
    ctx.record(|| audit::outcome(label, entry, outcome, ctx.config.verb));
    if let (Some(s), true) = (entry.session(), say) {
        let user = s.user.as_deref().map_or("-".into(), escape_for_display);
        // The outcome's code only: its words are in the report, said once.
        ctx.say(&format!(
            "{label}: session {} ({user}): {}",
            s.id,
            outcome.code()
        ));
    }
}

/// Looks until the logged-off sessions are gone (`--verify-wait`), then resets the stuck ones
/// with `--reset-stuck`.
fn verify_and_reset(
    ctx: &Ctx<'_>,
    server: Option<&ServerName>,
    label: &str,
    plan: &Plan,
    outcomes: &mut [Option<Outcome>],
) {
    if ctx.config.verb == Verb::Disconnect {
        if outcomes.contains(&Some(Outcome::Disconnected)) {
            ctx.say(&format!(
                "{label}: disconnections are not verified: a disconnected session stays listed"
            ));
        }
        return;
    }
    let before: Vec<Option<Outcome>> = outcomes.to_vec();
    let mut poll = || {
        let mut ignored = Vec::new();
        survey::read_plan(ctx, server, None, &mut ignored)
            .map(|(p, _, _, _)| p)
            .map_err(|e| e.to_string())
    };
    let stop = || ctx.stopping();
    // The ID of a session that went now holds another user or another logon: say so, since the
    // report row only says logged_off.
    let note = |index: usize, what: &str| {
        if let Some(s) = plan.entries[index].session() {
            ctx.say(&format!("{label}: session {}: {what}", s.id));
        }
    };
    let pending = outcomes
        .iter()
        .filter(|o| matches!(o, Some(Outcome::LoggedOffUnverified(_))))
        .count();
    if pending > 0 && !ctx.config.verify_wait.is_zero() {
        ctx.say(&format!(
            "{label}: checking that {pending} logged-off session(s) are gone (up to {} s)",
            ctx.config.verify_wait.as_secs()
        ));
    }
    let stuck = verify::verify(
        plan,
        outcomes,
        Look {
            wait: ctx.config.verify_wait,
            poll: &mut poll,
            stop: &stop,
            note: &note,
        },
    );
    if ctx.config.reset_stuck && !stuck.is_empty() {
        let text = |b: &[u8]| ctx.text(b);
        verify::reset_stuck(
            plan,
            outcomes,
            &stuck,
            Reset {
                host: ctx.host,
                server,
                timeout: ctx.config.timeout,
                text: &text,
                poll: &mut poll,
                stop: &stop,
                note: &note,
            },
        );
    }
    for (index, (was, now)) in before.iter().zip(outcomes.iter()).enumerate() {
        if let (Some(now), true) = (now, was != now) {
            let new_code = was.as_ref().map(Outcome::code) != Some(now.code());
            progress(ctx, label, plan, index, now, new_code);
        }
    }
}
