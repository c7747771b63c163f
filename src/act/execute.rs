//! Execute: run `logoff <id>` for each planned session, one at a time, in plan order, each under
//! the timeout. A failure on one session never stops the others.

use crate::config::ServerName;
use crate::host::runner::{Output, RunError, Runner, TOOL_OUTPUT_LIMIT};
use crate::plan::Plan;
use crate::query::one_line;
use crate::table::session::SessionId;
use std::path::Path;
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

/// The arguments for `logoff`: a validated decimal ID and a validated `/server:NAME`, nothing else.
pub fn args(id: SessionId, server: Option<&ServerName>) -> Vec<String> {
    let mut args = vec![id.to_string()];
    if let Some(server) = server {
        args.push(format!("/server:{server}"));
    }
    args
}

/// Where and how to run `logoff`.
pub struct Logoff<'a> {
    /// Runs the program.
    pub runner: &'a dyn Runner,
    /// The `logoff` program, or why it could not be found (then every logoff fails with that).
    pub program: Result<&'a Path, String>,
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
        let session = plan.entries[index]
            .session()
            .expect("only understood sessions are planned for logoff");
        let outcome = match logoff.program {
            Ok(program) => {
                let result = logoff.runner.run(
                    program,
                    &args(session.id, logoff.server),
                    logoff.timeout,
                    TOOL_OUTPUT_LIMIT,
                );
                classify(result, logoff.text)
            }
            Err(ref why) => Outcome::Failed(why.clone()),
        };
        progress(index, &outcome);
        outcomes[index] = Some(outcome);
    }
}

/// Reads what `logoff` did: success is exit 0 with no output; "not found" answers mean the
/// session is already gone; anything else is a failure with the child's words.
fn classify(result: Result<Output, RunError>, text: &dyn Fn(&[u8]) -> String) -> Outcome {
    let output = match result {
        Ok(output) => output,
        Err(RunError::TimedOut { timeout, .. }) => return Outcome::TimedOut(timeout),
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
    use crate::plan::{plan, Options};
    use crate::table::parse::parse;
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::sync::Mutex;

    /// Answers per session ID; records every call.
    struct Fake {
        answers: HashMap<String, Result<Output, Duration>>,
        calls: Mutex<Vec<Vec<String>>>,
    }

    impl Runner for Fake {
        fn run(
            &self,
            program: &Path,
            args: &[String],
            timeout: Duration,
            _: usize,
        ) -> Result<Output, RunError> {
            self.calls.lock().unwrap().push(args.to_vec());
            match self.answers.get(&args[0]) {
                Some(Ok(out)) => Ok(out.clone()),
                Some(Err(_)) => Err(RunError::TimedOut {
                    program: program.display().to_string(),
                    timeout,
                    partial: Output::default(),
                }),
                None => Ok(Output {
                    code: Some(0),
                    ..Output::default()
                }),
            }
        }
    }

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
        let fail = |code, err: &str| {
            Ok(Output {
                code: Some(code),
                stdout: vec![],
                stderr: err.as_bytes().to_vec(),
            })
        };
        let fake = Fake {
            answers: HashMap::from([
                ("4".to_string(), fail(1, "Error [5]: Access is denied.")),
                ("5".to_string(), Err(Duration::from_secs(1))),
                ("6".to_string(), fail(1, "Session ID 6 not found")),
                ("7".to_string(), fail(0, "Could not logoff session ID 7")),
            ]),
            calls: Mutex::new(vec![]),
        };
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
                runner: &fake,
                program: Ok(Path::new("/fake/logoff")),
                server: Some(&server),
                timeout: Duration::from_secs(1),
                text: &text,
                stop: &|| false,
            },
            &mut |i, _| seen.borrow_mut().push(i),
        );
        let calls = fake.calls.lock().unwrap().clone();
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
