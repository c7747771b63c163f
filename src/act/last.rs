//! Last: the caller's own session, logged off (or disconnected) after everything else: every
//! server, the report, the audit log and the logon-mode restore. Ending it ends this program, so
//! nothing may be left to do when it goes. The table is read again right before it, and it goes
//! only if the same session is still there; what it answered is said on standard error if the
//! program lives to see it (a failure adds exit bit 1).

use crate::act::execute::{self, Logoff};
use crate::act::gate::{self, Act, Evidence, Phase};
use crate::act::outcome::Outcome;
use crate::act::results::ServerResult;
use crate::act::{Record, Stage};
use crate::exit_code::{Cause, ExitCode};
use crate::plan::Reason;

/// After a stop (Ctrl-C), the own session kept for last is not run: the report says so.
pub(crate) fn not_run(results: &mut [ServerResult]) {
    for done in results.iter_mut().filter_map(|r| r.done.as_mut()) {
        for outcome in done.outcomes.iter_mut().flatten() {
            if *outcome == Some(Outcome::AfterReport) {
                *outcome = Some(Outcome::NotRun);
            }
        }
    }
}

/// Runs the deferred own-session calls; returns `code` with bit 1 added when one of them
/// failed. The sessions only suspected to be the caller's (its user's, on a server that cannot
/// be told from this computer) go first, in server order; the session this process runs in
/// goes very last, since ending it ends the program.
pub(crate) fn own_sessions(
    stage: &Stage<'_>,
    results: &[ServerResult],
    code: ExitCode,
) -> ExitCode {
    let mut code = code;
    let deferred: Vec<(&ServerResult, usize)> = results
        .iter()
        .filter_map(|r| Some((r, r.done.as_ref()?.outcomes.as_ref()?)))
        .flat_map(|(r, outcomes)| {
            outcomes
                .iter()
                .enumerate()
                .filter(|(_, o)| **o == Some(Outcome::AfterReport))
                .map(move |(index, _)| (r, index))
        })
        .collect();
    // Stable: server order within each group.
    let deferred = crate::vocab::order::last_by(deferred, |(r, index)| {
        r.done
            .as_ref()
            .is_some_and(|d| d.plan.entries[*index].reason != Reason::OwnUserIncluded)
    });
    for (result, index) in deferred {
        let Some(done) = &result.done else { continue };
        {
            if stage.stopping() {
                stage.say(&format!(
                    "{}: your own session was not {} (stopped by Ctrl-C)",
                    result.server,
                    stage.config.verb.past()
                ));
                continue;
            }
            let entry = &done.plan.entries[index];
            let Some(session) = entry.session() else {
                continue;
            };
            let label = result.server.as_str();
            let server = result.target.as_ref();
            // The table is old by now: read it again, and go only if the same session (ID, user,
            // session name) is still there and still planned.
            let fresh = match stage.planner.look_again(server, &done.plan) {
                Err(e) => {
                    stage.say(&format!(
                        "{label}: your own session {} was not {}: the table could not be read \
                         again: {e}",
                        session.id,
                        stage.config.verb.past()
                    ));
                    code = code.with(Cause::QueryFailed);
                    continue;
                }
                Ok(fresh) => fresh,
            };
            let evidence = Evidence {
                server,
                entry,
                latest: &fresh.plan,
                age: fresh.read_at.elapsed(),
                checked: "query session again, right before the own session",
                warned: done.warned(index),
            };
            let verb = stage.config.verb;
            let approved = match gate::decide(Act::Verb(verb), &evidence, &stage.rules(Phase::Last))
            {
                Ok(approved) => approved,
                Err(refusal) => {
                    stage.say(&format!(
                        "{label}: your own session {} was not {}: {}",
                        session.id,
                        verb.past(),
                        refusal.text()
                    ));
                    // Not warned is a failure, as for any session (bit 1), and the log says so.
                    if let gate::Refusal::NotWarned(why) = &refusal {
                        stage.events.record(Record::Outcome {
                            server: label,
                            entry,
                            outcome: &Outcome::NotWarned(why.clone()),
                        });
                        code = code.with(Cause::LogoffFailed);
                    }
                    continue;
                }
            };
            stage.say(&format!(
                "{label}: your own session {} is {} now, last; that ends this program",
                session.id,
                stage.config.verb.past()
            ));
            // In the audit log before the call: if it ends this program, the log says so.
            stage.events.record(Record::Outcome {
                server: label,
                entry,
                outcome: &Outcome::AfterReport,
            });
            let text = |b: &[u8]| stage.text(b);
            let answer = execute::once(
                &Logoff {
                    host: stage.host,
                    timeout: stage.config.timeout,
                    text: &text,
                    stop: &|| false,
                    verb,
                    parallel: 1,
                },
                &approved,
            );
            stage.events.record(Record::Outcome {
                server: label,
                entry,
                outcome: &answer,
            });
            let words = answer.message().unwrap_or_default();
            stage.say(&format!(
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
