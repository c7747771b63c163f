//! Warning: send `--warn` to every server's planned active sessions, then wait the grace period
//! only if somebody was warned, with a final reminder one minute before the end when the grace
//! is at least three minutes.

use super::{for_each, server_of, Ctx};
use crate::act::warn::{self, Msg, Warned};
use crate::report::audit;
use crate::report::ServerResult;
use std::time::Duration;

/// The reminder goes this long before the end of the grace period...
const REMINDER_BEFORE: Duration = Duration::from_secs(60);
/// ...when the grace period is at least this long.
const REMINDER_FROM: Duration = Duration::from_secs(180);

/// Which message is being sent.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Round {
    First,
    Reminder,
}

/// Warns, then waits the grace period (or says why not). Returns `false` when Ctrl-C stopped
/// the wait.
pub(super) fn warn_and_wait(ctx: &Ctx<'_>, results: &mut [ServerResult]) -> bool {
    let config = ctx.config;
    let Some(warning) = &config.warning else {
        return true;
    };
    let verb = config.verb;
    let first = warn::render(&warning.message, warning.grace, config.warn_exact, verb);
    for_each(results, config.jobs, |r| {
        send(ctx, r, &first, warning.grace, Round::First)
    });
    let warned = |w: &Warned| *w == Warned::Sent;
    let (sent, tried) = results
        .iter()
        .filter_map(|r| r.done.as_ref()?.warned.as_ref())
        .flatten()
        .flatten()
        .fold((0, 0), |(sent, tried), w| {
            (
                sent + usize::from(warned(w)),
                tried + usize::from(*w != Warned::NotActive),
            )
        });
    if sent == 0 {
        let why = if tried == 0 {
            "none of the sessions to act on is active (msg reaches active sessions only)"
        } else {
            "every msg failed"
        };
        ctx.say(&format!(
            "no session was warned: {why}; not waiting the {} grace period",
            warn::grace_words(warning.grace)
        ));
        return !ctx.stopping();
    }
    let terminal = ctx.env.stderr_terminal;
    let stop = || ctx.stopping();
    let before = match verb {
        crate::act::verb::Verb::Logoff => "logging off",
        crate::act::verb::Verb::Disconnect => "disconnecting",
    };
    let wait = |span: Duration, until: &str, end: &str| {
        let mut err = ctx.err.lock().unwrap_or_else(|e| e.into_inner());
        warn::wait(span, terminal, &mut **err, &stop, until, end)
    };
    if warning.grace >= REMINDER_FROM {
        let first_part = warning.grace - REMINDER_BEFORE;
        if !wait(
            first_part,
            "the final reminder",
            "sending the final reminder",
        ) {
            return false;
        }
        let last = warn::render(&warning.message, REMINDER_BEFORE, config.warn_exact, verb);
        for_each(results, config.jobs, |r| {
            send(ctx, r, &last, REMINDER_BEFORE, Round::Reminder)
        });
        return wait(REMINDER_BEFORE, before, "grace period over");
    }
    wait(warning.grace, before, "grace period over")
}

/// Sends `message` to one server's sessions: the first time to every planned active session,
/// the reminder to those the first message reached.
fn send(ctx: &Ctx<'_>, result: &mut ServerResult, message: &str, stays: Duration, round: Round) {
    let server = server_of(ctx, result);
    let Some(done) = result.done.as_mut() else {
        return;
    };
    let text = |b: &[u8]| ctx.text(b);
    let msg = Msg {
        host: ctx.host,
        server: server.as_ref(),
        message,
        seconds: stays.as_secs().max(1),
        timeout: ctx.config.timeout,
        text: &text,
        stop: &|| ctx.stopping(),
    };
    let answers = match (round, &done.warned) {
        (Round::First, _) => warn::send(&done.plan, &msg),
        (Round::Reminder, Some(first)) => warn::remind(&done.plan, first, &msg),
        (Round::Reminder, None) => return,
    };
    let event = match round {
        Round::First => "first message",
        Round::Reminder => "final reminder",
    };
    for (entry, w) in done.plan.entries.iter().zip(&answers) {
        let Some(w) = w else { continue };
        match round {
            Round::First => ctx.record(audit::warned(&result.server, entry, w)),
            Round::Reminder => {
                let mut fields = audit::entry_fields("reminded", &result.server, entry);
                fields.insert("warning".into(), w.code().into());
                ctx.record(fields);
            }
        }
        if let Some(m) = w.message() {
            ctx.say(&format!(
                "warning: {}: {event} not delivered: {m}",
                result.server
            ));
        }
    }
    if round == Round::First {
        done.warned = Some(answers);
    }
}
