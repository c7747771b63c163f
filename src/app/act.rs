//! Act: confirm the plan with a person, warn, wait, then log off server by server (see
//! [`super::logoffs`] for the re-check, the logoffs and their verification).

use super::{for_each, logoffs, server_of, Ctx};
use crate::act::warn::{self, Msg};
use crate::exit_code::ExitCode;
use crate::host::Call;
use crate::query;
use crate::report::audit;
use crate::report::{self, ServerResult};
use std::io::{BufRead, Write};

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
        let _ = report::table(err, results, false);
        let servers = results.iter().filter(|r| r.done.is_some()).count();
        let on = if servers == 1 {
            results
                .iter()
                .find(|r| r.done.is_some())
                .map_or(String::new(), |r| r.server.clone())
        } else {
            format!("{servers} servers")
        };
        let _ = write!(err, "Log off {planned} session(s) on {on}? [y/N] ");
        let _ = err.flush();
    }
    let mut answer = String::new();
    let _ = input.read_line(&mut answer);
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// Warn, wait, re-check and log off on every server that has something planned.
pub(super) fn act(ctx: &Ctx<'_>, results: &mut [ServerResult]) {
    let config = ctx.config;
    if let Some(warning) = &config.warning {
        for_each(results, config.jobs, |r| send_warning(ctx, r));
        let mut err = ctx.err.lock().unwrap_or_else(|e| e.into_inner());
        warn::wait(warning.grace, ctx.env.stderr_terminal, &mut **err, &|| {
            ctx.stopping()
        });
    }
    for_each(results, config.jobs, |r| {
        logoffs::run(ctx, r);
        if config.event_log {
            event_log(ctx, r);
        }
    });
}

fn send_warning(ctx: &Ctx<'_>, result: &mut ServerResult) {
    let server = server_of(ctx, result);
    let Some(done) = result.done.as_mut() else {
        return;
    };
    let Some(warning) = ctx.config.warning.as_ref() else {
        return;
    };
    let text = |b: &[u8]| ctx.text(b);
    let warned = warn::send(
        &done.plan,
        &Msg {
            host: ctx.host,
            server: server.as_ref(),
            message: &warning.message,
            seconds: warning.grace.as_secs().max(1),
            timeout: ctx.config.timeout,
            text: &text,
            stop: &|| ctx.stopping(),
        },
    );
    for (entry, w) in done.plan.entries.iter().zip(&warned) {
        if let Some(w) = w {
            ctx.record(audit::warned(&result.server, entry, w));
            if let Some(m) = w.message() {
                ctx.say(&format!(
                    "warning: {}: message not delivered: {m}",
                    result.server
                ));
            }
        }
    }
    done.warned = Some(warned);
}

/// Writes the server's summary event with the stock eventcreate; a failure is a warning.
fn event_log(ctx: &Ctx<'_>, result: &mut ServerResult) {
    let ok = report::exit_code(result) == ExitCode::Success;
    let summary = report::summary_line(result, false);
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
