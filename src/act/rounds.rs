//! Rounds of `--warn`: send the message to every server's planned active sessions, then wait the
//! grace period only if somebody was warned, with a final reminder one minute before the end
//! when the grace is at least three minutes.

use crate::act::gate::Phase;
use crate::act::outcome::Warned;
use crate::act::results::ServerResult;
use crate::act::warn::{self, Msg};
use crate::act::{for_each, Record, Stage};
use crate::vocab::message;
use std::time::Duration;

/// When the final reminder goes.
#[derive(Clone, Copy)]
struct Reminder {
    /// This long before the end of the grace period...
    before: Duration,
    /// ...when the grace period is at least this long.
    from: Duration,
}

/// One minute before the end, for a grace period of three minutes or more.
const REMINDER: Reminder = Reminder {
    before: Duration::from_secs(60),
    from: Duration::from_secs(180),
};

/// Which message is being sent.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Round {
    First,
    Reminder,
}

/// Warns, then waits the grace period (or says why not). Returns `false` when Ctrl-C stopped
/// the wait.
pub(crate) fn warn_and_wait(stage: &Stage<'_>, results: &mut [ServerResult]) -> bool {
    warn_and_wait_with(stage, results, REMINDER)
}

fn warn_and_wait_with(stage: &Stage<'_>, results: &mut [ServerResult], reminder: Reminder) -> bool {
    let config = stage.config;
    let Some(warning) = &config.warning else {
        return true;
    };
    let verb = config.verb;
    let first = message::render(&warning.message, warning.grace, config.warn_exact, verb);
    for_each(results, config.jobs, |r| {
        send(stage, r, &first, warning.grace, Round::First)
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
    if stage.stopping() {
        return false;
    }
    if sent == 0 {
        let why = if tried == 0 {
            "none of the sessions to act on is active (msg reaches active sessions only)"
        } else {
            "every msg failed"
        };
        stage.say(&format!(
            "no session was warned: {why}; not waiting the {} grace period",
            message::grace_words(warning.grace)
        ));
        return true;
    }
    let terminal = stage.stderr_terminal;
    let stop = || stage.stopping();
    let before = verb.gerund();
    let wait = |span: Duration, until: &str, end: &str| {
        let mut waited = false;
        stage.events.console(&mut |err| {
            waited = warn::wait(span, terminal, err, &stop, until, end);
        });
        waited
    };
    if warning.grace >= reminder.from {
        let first_part = warning.grace.saturating_sub(reminder.before);
        if !wait(
            first_part,
            "the final reminder",
            "sending the final reminder",
        ) {
            return false;
        }
        let last = message::render(&warning.message, reminder.before, config.warn_exact, verb);
        for_each(results, config.jobs, |r| {
            send(stage, r, &last, reminder.before, Round::Reminder)
        });
        return wait(reminder.before, before, "grace period over");
    }
    wait(warning.grace, before, "grace period over")
}

/// Sends `message` to one server's sessions: the first time to every planned active session,
/// the reminder to those the first message reached.
fn send(
    stage: &Stage<'_>,
    result: &mut ServerResult,
    message: &str,
    stays: Duration,
    round: Round,
) {
    let Some(done) = result.done.as_mut() else {
        return;
    };
    let text = |b: &[u8]| stage.text(b);
    // The gate checks every message against a fresh table: after a long prompt, and always
    // before the final reminder, the table is read again first. When that fails, no message
    // goes: the old table proves nothing any more.
    let mut fresh = None;
    let mut unreadable = None;
    if done.read_at.elapsed() > stage.recheck_after {
        match stage.planner.look_again(result.target.as_ref(), &done.plan) {
            Ok(look) => fresh = Some(look),
            Err(e) => {
                stage.say(&format!(
                    "warning: {}: the table could not be read again before the {}: {e}",
                    result.server,
                    match round {
                        Round::First => "message",
                        Round::Reminder => "final reminder",
                    }
                ));
                unreadable = Some(e.to_string());
            }
        }
    }
    let (latest, read_at) = match &fresh {
        Some(look) => (&look.plan, look.read_at),
        None => (&done.plan, done.read_at),
    };
    let msg = Msg {
        host: stage.host,
        server: result.target.as_ref(),
        message,
        seconds: stays.as_secs().max(1),
        timeout: stage.config.timeout,
        text: &text,
        stop: &|| stage.stopping(),
        latest,
        age: read_at.elapsed(),
        rules: stage.rules(Phase::Main),
        unreadable: unreadable.as_deref(),
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
        stage.events.record(Record::Warned {
            server: &result.server,
            entry,
            warned: w,
            reminder: round == Round::Reminder,
        });
        if let Some(m) = w.message() {
            stage.say(&format!(
                "warning: {}: {event} not delivered: {m}",
                result.server
            ));
        }
    }
    if round == Round::First {
        done.warned = Some(answers);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::act::testing::{with_stage, Kept};
    use crate::host::fake::{exited, FakeHost};
    use crate::host::Call;
    use std::time::Instant;

    const TABLE: &str = " SESSIONNAME       USERNAME                 ID  STATE
 rdp-tcp#1         alice                     1  Active
 rdp-tcp#2         bob                       2  Active
                   carol                     3  Disc
";

    /// Runs the warning of `args` against TABLE (msg to session 2 fails); returns the msg argvs,
    /// what was said and how long it took.
    fn warn_with(args: &[&str], reminder: Reminder) -> (Vec<Vec<String>>, String, Duration) {
        let all = std::iter::once("logoff-all").chain(args.iter().copied());
        let config = crate::config::from_args(all.map(std::ffi::OsString::from)).unwrap();
        let host = FakeHost::new(|call, _| match call {
            Call::QuerySession => exited(0, TABLE, ""),
            Call::Msg { id, .. } if id.get() == 2 => exited(1, "", "Error 1722"),
            _ => exited(0, "", ""),
        });
        let events = Kept::default();
        let took = with_stage(&config, &host, &events, |stage, results| {
            let started = Instant::now();
            assert!(warn_and_wait_with(stage, results, reminder));
            started.elapsed()
        });
        let msgs = host
            .argvs()
            .into_iter()
            .filter(|a| a[0] != "session")
            .collect();
        (msgs, events.text(), took)
    }

    #[test]
    fn a_long_grace_sends_a_final_reminder_to_the_sessions_warned() {
        let reminder = Reminder {
            before: Duration::from_secs(1),
            from: Duration::from_secs(2),
        };
        let (msgs, said, took) =
            warn_with(&["--warn", "Bye in {grace}", "--grace", "2s"], reminder);
        let expected = [
            ["1", "/time:2", "Bye in 2 seconds"],
            ["2", "/time:2", "Bye in 2 seconds"],
            ["1", "/time:1", "Bye in 1 second"],
        ];
        assert_eq!(
            msgs,
            expected.map(|a| a.map(String::from).to_vec()),
            "{said}"
        );
        assert!(took >= Duration::from_secs(2), "{took:?}");
        assert!(said.contains("sending the final reminder"), "{said}");
        assert!(said.contains("grace period over"), "{said}");
    }

    #[test]
    fn a_short_grace_has_no_reminder() {
        let (msgs, said, took) = warn_with(&["--warn", "Bye", "--grace", "1s"], REMINDER);
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert_eq!(msgs[0][2], "Bye, logoff in 1 second");
        assert!(took >= Duration::from_secs(1));
        assert!(!said.contains("reminder"), "{said}");
    }
}
