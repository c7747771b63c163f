//! Act: confirm the plan with a person, warn, wait, re-check and log off, server by server.

use super::{for_each, server_of, survey, Ctx};
use crate::act::execute::{self, Logoff, Outcome};
use crate::config::Mode;
use crate::error::Error;
use crate::host::Call;
use crate::plan::{self, Action, Recheck};
use crate::query;
use crate::report::audit;
use crate::report::{self, ServerResult};
use std::io::{BufRead, Write};
use std::time::Instant;

/// On a terminal without `--yes`, shows the plan and asks before anyone is logged off.
pub(super) fn confirm(
    ctx: &Ctx<'_>,
    out: &mut dyn Write,
    input: &mut dyn BufRead,
    results: &[ServerResult],
    planned: usize,
) -> bool {
    if ctx.config.yes || !ctx.env.interactive {
        return true;
    }
    let _ = report::table::write(out, results, Mode::Act);
    let _ = out.flush();
    {
        let mut err = ctx.err.lock().unwrap_or_else(|e| e.into_inner());
        let servers = results.iter().filter(|r| r.done.is_some()).count();
        let on = if servers == 1 {
            results
                .iter()
                .find(|r| r.done.is_some())
                .map_or(String::new(), |r| r.server.clone())
        } else {
            format!("{servers} servers")
        };
        let verb = ctx.config.verb.words();
        let mut verb = verb[..1].to_uppercase() + &verb[1..];
        if ctx.config.drain {
            verb = format!(
                "Drain new logons (change logon /drain) and {}",
                verb.to_lowercase()
            );
        }
        let _ = write!(err, "{verb} {planned} session(s) on {on}? [y/N] ");
        let _ = err.flush();
    }
    let mut answer = String::new();
    let _ = input.read_line(&mut answer);
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// Warn, wait, re-check and log off on every server that has something planned.
pub(super) fn act(ctx: &Ctx<'_>, results: &mut [ServerResult]) {
    let config = ctx.config;
    super::warning::warn_and_wait(ctx, results);
    for_each(results, config.jobs, |r| {
        let started = Instant::now();
        let planned = r
            .done
            .as_ref()
            .is_some_and(|d| !d.plan.logoff_order().is_empty());
        recheck_and_execute(ctx, r);
        if config.event_log {
            event_log(ctx, r);
        }
        r.elapsed += started.elapsed();
        if planned {
            ctx.server_failed(r);
            ctx.finished(r);
        }
    });
}

/// Re-checks when the table is stale (after --warn, or a long prompt), then logs off.
fn recheck_and_execute(ctx: &Ctx<'_>, result: &mut ServerResult) {
    let server = server_of(ctx, result);
    let Some(done) = result.done.as_mut() else {
        return;
    };
    if done.plan.logoff_order().is_empty() {
        return;
    }
    let mut outcomes = vec![None; done.plan.entries.len()];
    if ctx.stopping() {
        for i in done.plan.logoff_order() {
            outcomes[i] = Some(Outcome::NotRun);
        }
        done.outcomes = Some(outcomes);
        return;
    }
    let stale = ctx.config.warning.is_some() || done.read_at.elapsed() > ctx.env.recheck_after;
    if stale {
        match survey::read_plan(ctx, server.as_ref(), None, &mut result.warnings) {
            Err(e) => {
                for i in done.plan.logoff_order() {
                    outcomes[i] = Some(Outcome::NotRun);
                }
                result.error = Some(Error::Recheck(Box::new(e)));
                done.outcomes = Some(outcomes);
                return;
            }
            Ok((fresh, _, _, _)) => {
                let answers = plan::recheck(&done.plan, &fresh);
                for (i, answer) in answers.into_iter().enumerate() {
                    match answer {
                        Some(Recheck::Gone) => {
                            outcomes[i] = Some(Outcome::AlreadyGone(
                                "no longer listed at the re-check before logoff".to_string(),
                            ))
                        }
                        Some(Recheck::Skip(reason)) => {
                            let entry = &mut done.plan.entries[i];
                            entry.action = Action::Skip;
                            entry.reason = reason;
                            ctx.record(audit::decision(
                                &result.server,
                                entry,
                                Mode::Act,
                                ctx.config.verb,
                            ));
                        }
                        Some(Recheck::Still) | None => {}
                    }
                }
            }
        }
    }
    let order = done.plan.logoff_order();
    if let Some(&last) = order.last() {
        let entry = &done.plan.entries[last];
        if entry.current {
            if let Some(s) = entry.session() {
                ctx.say(&format!(
                    "{}: your own session {} is logged off last; that ends this session",
                    result.server, s.id
                ));
            }
        }
    }
    let text = |b: &[u8]| ctx.text(b);
    let plan = &done.plan;
    let label = result.server.clone();
    for (i, outcome) in outcomes.iter().enumerate() {
        if let Some(o) = outcome {
            ctx.record(audit::outcome(&label, &plan.entries[i], o, ctx.config.verb));
        }
    }
    execute::execute(
        plan,
        &mut outcomes,
        &Logoff {
            host: ctx.host,
            server: server.as_ref(),
            timeout: ctx.config.timeout,
            text: &text,
            stop: &|| ctx.stopping(),
            verb: ctx.config.verb,
        },
        &mut |index, outcome| {
            let entry = &plan.entries[index];
            ctx.record(audit::outcome(&label, entry, outcome, ctx.config.verb));
            if let Some(s) = entry.session() {
                ctx.say(&format!(
                    "{label}: session {} ({}): {}",
                    s.id,
                    s.user.as_deref().unwrap_or("-"),
                    outcome.code()
                ));
            }
        },
    );
    done.outcomes = Some(outcomes);
}

/// Writes the server's summary event with the stock eventcreate; a failure is a warning.
fn event_log(ctx: &Ctx<'_>, result: &mut ServerResult) {
    let ok = report::exit_code(result).is_success();
    let summary = report::summary_line(result, ctx.config.mode);
    let call = Call::EventCreate { ok, text: &summary };
    match ctx.host.run(&call, None, ctx.config.timeout) {
        Ok(o) if o.success() => {}
        Ok(o) => result.warnings.push(format!(
            "event log not written: eventcreate exit code {}: {}",
            o.code.unwrap_or(-1),
            query::one_line(&[ctx.text(&o.stderr), ctx.text(&o.stdout)].join(" "))
        )),
        Err(e) => result.warnings.push(format!("event log not written: {e}")),
    }
}
