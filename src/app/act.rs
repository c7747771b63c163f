//! Act: confirm the plan with a person, warn, wait, then log off server by server (see
//! [`super::logoffs`] for the re-check, the logoffs and their verification).

use super::{for_each, logoffs, Ctx};
use crate::config::Mode;
use crate::host::Call;
use crate::report::{self, ServerResult};
use std::io::{BufRead, Write};
use std::time::Instant;

/// When a person can answer (standard input is a terminal) and `--yes` is not given, shows the
/// plan and asks before anyone is logged off, whatever standard output is: the plan and the
/// question go to `console` (the Windows console), or to standard error, never into the report.
pub(super) fn confirm(
    ctx: &Ctx<'_>,
    console: Option<&mut dyn Write>,
    input: &mut dyn BufRead,
    results: &[ServerResult],
    planned: usize,
) -> bool {
    if ctx.config.yes || !ctx.env.interactive {
        return true;
    }
    {
        let mut guard = ctx.err.lock().unwrap_or_else(|e| e.into_inner());
        let err: &mut dyn Write = match console {
            Some(console) => console,
            None => &mut **guard,
        };
        let _ = report::table::write(err, results, Mode::Act);
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
        logoffs::run(ctx, r);
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
            crate::vocab::one_line(&[ctx.text(&o.stderr), ctx.text(&o.stdout)].join(" "))
        )),
        Err(e) => result.warnings.push(format!("event log not written: {e}")),
    }
}
