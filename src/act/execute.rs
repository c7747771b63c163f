//! Execute: run `logoff <id>` for each planned session, one at a time, in plan order, each under
//! the timeout. A failure on one session never stops the others.

use crate::config::ServerName;
use crate::host::runner::{Output, RunError};
use crate::host::{Call, Host, HostError};
use crate::plan::Plan;
use crate::query::one_line;
use std::time::Duration;

/// What happened to one planned logoff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `logoff` exited 0 and printed nothing.
    LoggedOff,
    /// `logoff` said the session does not exist (any more): nothing left to do.
    AlreadyGone(String),
    /// `logoff` failed or printed an error; the message says what it said.
    Failed(String),
    /// `logoff` ran past the timeout and was killed.
    TimedOut(Duration),
    /// It was not run (the run stopped before it).
    NotRun,
}

impl Outcome {
    /// A stable short code for the JSON report.
    pub fn code(&self) -> &'static str {
        match self {
            Outcome::LoggedOff => "logged_off",
            Outcome::AlreadyGone(_) => "already_gone",
            Outcome::Failed(_) => "failed",
            Outcome::TimedOut(_) => "timed_out",
            Outcome::NotRun => "not_run",
        }
    }

    /// Whether the session is now logged off (or was already gone).
    pub fn is_success(&self) -> bool {
        matches!(self, Outcome::LoggedOff | Outcome::AlreadyGone(_))
    }

    /// The child's message, or why it was stopped, when there is one.
    pub fn message(&self) -> Option<String> {
        match self {
            Outcome::LoggedOff | Outcome::NotRun => None,
            Outcome::AlreadyGone(m) | Outcome::Failed(m) => Some(m.clone()),
            Outcome::TimedOut(t) => Some(format!(
                "logoff did not finish within {} s and was stopped",
                t.as_secs_f64()
            )),
        }
    }
}

/// Where and how to run `logoff`.
pub struct Logoff<'a> {
    /// Runs the program.
    pub host: &'a dyn Host,
    /// The server, `None` for this computer.
    pub server: Option<&'a ServerName>,
    /// Time each `logoff` may take.
    pub timeout: Duration,
    /// Decodes the child's messages for display.
    pub text: &'a dyn Fn(&[u8]) -> String,
    /// Whether to stop (Ctrl-C): the logoffs not started yet are then `NotRun`.
    pub stop: &'a dyn Fn() -> bool,
}

/// Runs every planned logoff in order that has no outcome yet in `outcomes` (one slot per plan
/// entry; a re-check may already have settled some) and fills in what happened. `progress` sees
/// each outcome as it happens.
pub fn execute(
    plan: &Plan,
    outcomes: &mut [Option<Outcome>],
    logoff: &Logoff<'_>,
    progress: &mut dyn FnMut(usize, &Outcome),
) {
    for index in plan.logoff_order() {
        if outcomes[index].is_some() {
            continue;
        }
        if (logoff.stop)() {
            outcomes[index] = Some(Outcome::NotRun);
            continue;
        }
        // Only understood sessions are planned for logoff; anything else is never acted on.
        let Some(session) = plan.entries[index].session() else {
            continue;
        };
        let result = logoff
            .host
            .run(&Call::Logoff(session.id), logoff.server, logoff.timeout);
        let outcome = classify(result, logoff.text);
        progress(index, &outcome);
        outcomes[index] = Some(outcome);
    }
}

/// Reads what `logoff` did: success is exit 0 with no output; "not found" answers mean the
/// session is already gone; anything else is a failure with the child's words.
fn classify(result: Result<Output, HostError>, text: &dyn Fn(&[u8]) -> String) -> Outcome {
    let output = match result {
        Ok(output) => output,
        Err(HostError::Run(RunError::TimedOut { timeout, .. })) => {
            return Outcome::TimedOut(timeout)
        }
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    let message = one_line(&[text(&output.stderr), text(&output.stdout)].join(" "));
    if is_not_found(&message) {
        return Outcome::AlreadyGone(message);
    }
    match (output.code, message.is_empty()) {
        (Some(0), true) => Outcome::LoggedOff,
        (Some(0), false) => Outcome::Failed(format!("exit code 0 but it printed: {message}")),
        (Some(code), _) => Outcome::Failed(format!(
            "exit code {code}{}{message}",
            if message.is_empty() { "" } else { ": " }
        )),
        (None, _) => Outcome::Failed(format!("ended by a signal {message}").trim().to_string()),
    }
}

/// "Session not found" answers: the English words, or the error code that means it in any
/// language (7022, ERROR_CTX_WINSTATION_NOT_FOUND).
fn is_not_found(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("not found")
        || m.contains("cannot be found")
        || m.contains("no session exists")
        || m.contains("7022")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode, CodePage};
    use crate::host::fake::{exited, timed_out, FakeHost};
    use crate::plan::{plan, Options};
    use crate::table::parse::parse;
    use std::cell::RefCell;

    const TABLE: &str = " SESSIONNAME       USERNAME                 ID  STATE   TYPE        DEVICE
 services                                    0  Disc
>rdp-tcp#2         admin                     2  Active
                   bob                       4  Disc
 rdp-tcp#5         carol                     5  Active
 rdp-tcp#6         dave                      6  Active
 rdp-tcp#7         erin                      7  Active
";

    #[test]
    fn failures_and_timeouts_never_stop_the_rest_and_own_session_goes_last() {
        let fake = FakeHost::new(|call, _| match call {
            Call::Logoff(id) if id.get() == 4 => exited(1, "", "Error [5]: Access is denied."),
            Call::Logoff(id) if id.get() == 5 => timed_out(Duration::from_secs(1)),
            Call::Logoff(id) if id.get() == 6 => exited(1, "", "Session ID 6 not found"),
            Call::Logoff(id) if id.get() == 7 => exited(0, "", "Could not logoff session ID 7"),
            _ => exited(0, "", ""),
        });
        let table = parse(&decode(TABLE.as_bytes(), CodePage::Default(437)).unwrap()).unwrap();
        let plan = plan(
            table,
            Options {
                include_self: true,
                ..Options::default()
            },
        );
        let server = ServerName::parse("TS01").unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let seen = RefCell::new(vec![]);
        let mut outcomes = vec![None; plan.entries.len()];
        execute(
            &plan,
            &mut outcomes,
            &Logoff {
                host: &fake,
                server: Some(&server),
                timeout: Duration::from_secs(1),
                text: &text,
                stop: &|| false,
            },
            &mut |i, _| seen.borrow_mut().push(i),
        );
        let calls = fake.argvs();
        let ids: Vec<&str> = calls.iter().map(|c| c[0].as_str()).collect();
        assert_eq!(ids, ["4", "5", "6", "7", "2"]);
        assert!(calls.iter().all(|c| c[1] == "/server:TS01" && c.len() == 2));
        let codes: Vec<Option<&str>> = outcomes
            .iter()
            .map(|o| o.as_ref().map(Outcome::code))
            .collect();
        assert_eq!(
            codes,
            [
                None,
                Some("logged_off"),
                Some("failed"),
                Some("timed_out"),
                Some("already_gone"),
                Some("failed")
            ]
        );
        assert_eq!(seen.into_inner(), [2, 3, 4, 5, 1]);
    }
}
