//! Warn: send the stock `msg` to the sessions about to be logged off, then wait the grace
//! period with a countdown (on a terminal) or plain progress lines (in a log). The message says
//! the grace period in words (`{grace}`, or appended), so the text and the wait agree.

use crate::act::gate::{self, Act, Evidence, Rules};
use crate::act::outcome::Warned;
use crate::host::Host;
use crate::plan::Plan;
use crate::table::session::State;
use crate::vocab::one_line;
use crate::vocab::ServerName;
use std::io::Write;
use std::time::{Duration, Instant};

/// Where and how to run `msg`.
pub(crate) struct Msg<'a> {
    /// Runs the program.
    pub(crate) host: &'a dyn Host,
    /// The server, `None` for this computer.
    pub(crate) server: Option<&'a ServerName>,
    /// The message.
    pub(crate) message: &'a str,
    /// How long the message box stays (the grace period).
    pub(crate) seconds: u64,
    /// Time `msg` may take.
    pub(crate) timeout: Duration,
    /// Decodes the child's messages for display.
    pub(crate) text: &'a dyn Fn(&[u8]) -> String,
    /// Whether to stop (Ctrl-C): no further message is sent.
    pub(crate) stop: &'a dyn Fn() -> bool,
    /// The latest table of the server, planned, and when it was read: the gate checks each
    /// session against it before its message.
    pub(crate) latest: &'a Plan,
    /// Its age when the round started.
    pub(crate) age: Duration,
    /// The gate's rules.
    pub(crate) rules: Rules,
    /// Why the table could not be read again before the messages, if it could not: then none
    /// is sent.
    pub(crate) unreadable: Option<&'a str>,
}

/// Sends the message to every planned active session, in plan order; one answer per entry of
/// the plan (`None` for entries not planned for logoff).
pub(crate) fn send(plan: &Plan, msg: &Msg<'_>) -> Vec<Option<Warned>> {
    send_each(plan, plan.logoff_order(), msg)
}

/// Sends the final reminder to the sessions the first message reached (`first` as returned by
/// [`send`]); one answer per entry.
pub(crate) fn remind(plan: &Plan, first: &[Option<Warned>], msg: &Msg<'_>) -> Vec<Option<Warned>> {
    let reached = plan
        .logoff_order()
        .into_iter()
        .filter(|i| first.get(*i) == Some(&Some(Warned::Sent)))
        .collect();
    send_each(plan, reached, msg)
}

fn send_each(plan: &Plan, indexes: Vec<usize>, msg: &Msg<'_>) -> Vec<Option<Warned>> {
    let mut out = vec![None; plan.entries.len()];
    for index in indexes {
        if (msg.stop)() {
            break;
        }
        let Some(session) = plan.entries[index].session() else {
            continue;
        };
        let act = Act::Message {
            text: msg.message,
            seconds: msg.seconds,
        };
        let evidence = Evidence {
            server: msg.server,
            entry: &plan.entries[index],
            latest: msg.latest,
            // Counted at the start of the round (the round reads the table again first when it
            // is old): a round of many messages is one decision on one table.
            age: msg.age,
            checked: "the table read before the message",
            warned: None,
        };
        let warned = if session.state != State::Active {
            Warned::NotActive
        } else if let Some(why) = msg.unreadable {
            Warned::Failed(format!(
                "not sent: the table could not be read again: {why}"
            ))
        } else {
            let approved = gate::decide(act, &evidence, &msg.rules);
            match approved
                .map_err(|refusal| format!("not sent: {}", refusal.text()))
                .and_then(|a| a.run(msg.host, msg.timeout).map_err(|e| e.to_string()))
            {
                Ok(o) => {
                    let said = one_line(&[(msg.text)(&o.stderr), (msg.text)(&o.stdout)].join(" "));
                    if o.success() && said.is_empty() {
                        Warned::Sent
                    } else {
                        Warned::Failed(format!(
                            "msg exit code {}{}{said}",
                            o.code.unwrap_or(-1),
                            if said.is_empty() { "" } else { ": " }
                        ))
                    }
                }
                Err(why) => Warned::Failed(why),
            }
        };
        out[index] = Some(warned);
    }
    out
}

/// Waits `grace`, telling `out` how long is left until `before` ("logging off", "the final
/// reminder"): a countdown rewritten in place on a terminal, otherwise a line at the start, one
/// a minute, and `end` at the end. Returns early, with `false`, when `stop` says so (Ctrl-C).
pub(crate) fn wait(
    grace: Duration,
    terminal: bool,
    out: &mut dyn Write,
    stop: &dyn Fn() -> bool,
    before: &str,
    end: &str,
) -> bool {
    let start = Instant::now();
    let left = || grace.saturating_sub(start.elapsed());
    let clock = |d: Duration| {
        let s = d.as_secs() + u64::from(d.subsec_nanos() > 0);
        format!("{}:{:02}", s / 60, s % 60)
    };
    let _ = writeln!(
        out,
        "logoff-all: waiting {} before {before} (Ctrl-C stops here; no session has been logged \
         off or disconnected yet)",
        clock(grace)
    );
    let mut last_line = Instant::now();
    while !left().is_zero() {
        if stop() {
            let _ = writeln!(out, "\nlogoff-all: stopped during the grace period");
            return false;
        }
        if terminal {
            let _ = write!(out, "\rlogoff-all: {before} in {}  ", clock(left()));
            let _ = out.flush();
        } else if last_line.elapsed() >= Duration::from_secs(60) {
            let _ = writeln!(out, "logoff-all: {} left", clock(left()));
            last_line = Instant::now();
        }
        std::thread::sleep(left().min(Duration::from_millis(100)));
    }
    if terminal {
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "logoff-all: {end}");
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_wait_prints_start_and_end() {
        let mut out = Vec::new();
        let started = Instant::now();
        assert!(wait(
            Duration::from_millis(300),
            false,
            &mut out,
            &|| false,
            "logging off",
            "grace period over"
        ));
        assert!(started.elapsed() >= Duration::from_millis(300));
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("logoff-all: waiting 0:01 before logging off"),
            "{text}"
        );
        assert!(text.ends_with("grace period over\n"), "{text}");
    }

    #[test]
    fn a_stop_ends_the_wait_early() {
        let mut out = Vec::new();
        let started = Instant::now();
        let stop = || started.elapsed() > Duration::from_millis(200);
        assert!(!wait(
            Duration::from_secs(30),
            true,
            &mut out,
            &stop,
            "x",
            "y"
        ));
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
