//! Last: the caller's own session, logged off (or disconnected) after everything else: every
//! server, the report, the audit log and the logon-mode restore. Ending it ends this program, so
//! nothing may be left to do when it goes. The table is read again right before it, and it goes
//! only if the same session is still there; what it answered is said on standard error if the
//! program lives to see it (a failure adds exit bit 1).

use super::{server_of, survey, Ctx};
use crate::act::execute::{self, Logoff};
use crate::act::outcome::Outcome;
use crate::act::recheck::{self, Found};
use crate::exit_code::{Cause, ExitCode};
use crate::report::audit;
use crate::report::ServerResult;

/// After a stop (Ctrl-C), the own session kept for last is not run: the report says so.
pub(super) fn not_run(results: &mut [ServerResult]) {
    for done in results.iter_mut().filter_map(|r| r.done.as_mut()) {
        for outcome in done.outcomes.iter_mut().flatten() {
            if *outcome == Some(Outcome::AfterReport) {
                *outcome = Some(Outcome::NotRun);
            }
        }
    }
}

/// Runs the deferred own-session calls, in server order; returns `code` with bit 1 added when
/// one of them failed.
pub(super) fn own_sessions(ctx: &Ctx<'_>, results: &[ServerResult], code: ExitCode) -> ExitCode {
    let mut code = code;
    for result in results {
        let Some(done) = &result.done else { continue };
        let Some(outcomes) = &done.outcomes else {
            continue;
        };
        for (index, outcome) in outcomes.iter().enumerate() {
            if *outcome != Some(Outcome::AfterReport) {
                continue;
            }
            if ctx.stopping() {
                ctx.say(&format!(
                    "{}: your own session was not {} (stopped by Ctrl-C)",
                    result.server,
                    ctx.config.verb.past()
                ));
                continue;
            }
            let entry = &done.plan.entries[index];
            let Some(session) = entry.session() else {
                continue;
            };
            let label = result.server.as_str();
            let server = server_of(ctx, result);
            // The table is old by now: read it again, and go only if the same session (ID, user,
            // session name) is still there and still planned.
            let mut warnings = Vec::new();
            match survey::read_plan(ctx, server.as_ref(), None, &mut warnings) {
                Err(e) => {
                    ctx.say(&format!(
                        "{label}: your own session {} was not {}: the table could not be read \
                         again: {e}",
                        session.id,
                        ctx.config.verb.past()
                    ));
                    code = code.with(Cause::QueryFailed);
                    continue;
                }
                Ok((fresh, ..)) => {
                    let checked = "query session again, right before the own session";
                    let why = match recheck::compare(session, &fresh, checked) {
                        Found::Same => None,
                        Found::Gone(m) | Found::Reused(m) => Some(m),
                        Found::NoLongerMatches(reason) => Some(reason.text()),
                    };
                    if let Some(why) = why {
                        ctx.say(&format!(
                            "{label}: your own session {} was not {}: {why}",
                            session.id,
                            ctx.config.verb.past()
                        ));
                        continue;
                    }
                }
            }
            ctx.say(&format!(
                "{label}: your own session {} is {} now, last; that ends this program",
                session.id,
                ctx.config.verb.past()
            ));
            // In the audit log before the call: if it ends this program, the log says so.
            ctx.record(|| audit::outcome(label, entry, &Outcome::AfterReport, ctx.config.verb));
            let text = |b: &[u8]| ctx.text(b);
            let answer = execute::once(
                &Logoff {
                    host: ctx.host,
                    server: server.as_ref(),
                    timeout: ctx.config.timeout,
                    text: &text,
                    stop: &|| false,
                    verb: ctx.config.verb,
                },
                session.id,
            );
            ctx.record(|| audit::outcome(label, entry, &answer, ctx.config.verb));
            let words = answer.message().unwrap_or_default();
            ctx.say(&format!(
                "{label}: your own session {}: {} {words}",
                session.id,
                answer.code()
            ));
            if !answer.is_success() {
                code = code.with(Cause::LogoffFailed);
            }
        }
    }
    code
}
