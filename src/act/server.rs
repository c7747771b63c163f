//! Server: the logoffs on one server. Re-check a stale table before every logoff (and after any
//! logoff that failed or timed out), log off ([`run`]), then verify that the sessions went and,
//! with `--reset-stuck`, reset the ones that stayed ([`Looks::finish`]). The looks are handed
//! back, so the worker can take the next server while they wait.

use crate::act::execute::{self, Check, Logoff};
use crate::act::gate::{self, Act, Evidence, Phase, Refusal};
use crate::act::outcome::{Outcome, OutcomeCode};
use crate::act::recheck::{Found, Recheck};
use crate::act::results::ServerResult;
use crate::act::verify::{self, Look, Reset};
use crate::act::{Record, Stage};
use crate::error::Error;
use crate::plan::{Action, Plan, Reason};
use crate::vocab::{escape_for_display, ServerName};

/// What is left of a server's run once its logoffs are done: the looks that verify them (and
/// the resets of `--reset-stuck`).
#[must_use = "the outcomes land in the result only when the looks finish"]
pub(crate) struct Looks {
    outcomes: Vec<Option<Outcome>>,
}

impl Looks {
    /// Verifies (and resets), then puts the outcomes in `result`.
    pub(crate) fn finish(mut self, stage: &Stage<'_>, result: &mut ServerResult) {
        let ServerResult {
            server: label,
            target,
            done,
            ..
        } = result;
        let Some(done) = done.as_mut() else {
            return;
        };
        verify_and_reset(
            stage,
            target.as_ref(),
            label,
            &done.plan,
            &mut self.outcomes,
        );
        done.outcomes = Some(self.outcomes);
    }
}

/// Re-checks and logs off on one server; returns the looks still to do, or `None` when the
/// result is complete.
pub(crate) fn run(stage: &Stage<'_>, result: &mut ServerResult) -> Option<Looks> {
    let ServerResult {
        server: label,
        target,
        done,
        error,
        warnings,
        ..
    } = result;
    let label = label.as_str();
    let server = target.as_ref();
    let done = done.as_mut()?;
    if done.plan.logoff_order().is_empty() {
        return None;
    }
    let mut outcomes = vec![None; done.plan.entries.len()];
    // The caller's own session (planned last, with --include-self) waits for everything else:
    // every server, the report and the logon-mode restore; ending it ends this program.
    for index in done.plan.logoff_order() {
        if done.plan.entries[index].current {
            outcomes[index] = Some(Outcome::AfterReport);
        }
    }
    let text = |b: &[u8]| stage.text(b);
    let stop = || stage.stopping();
    let verb = stage.config.verb;
    // A logoff to be verified is said once its outcome is final, after the looks.
    let verifying =
        !stage.config.verify_wait.is_zero() && stage.config.verb.unverifiable().is_none();
    let pending = |o: &Outcome| verifying && matches!(o, Outcome::LoggedOffUnverified(_));
    let mut dropped: Vec<(usize, Reason)> = Vec::new();
    {
        let plan = &done.plan;
        // After --warn the table is always read again, however short the grace period.
        let mut recheck = Recheck::new(
            done.read_at,
            stage.recheck_after,
            stage.config.warning.is_some(),
        );
        let warned = done.warned.as_deref();
        let mut latest: Option<Plan> = None;
        let mut check = |index: usize, after_failure: bool| -> Check<'static> {
            let entry = &plan.entries[index];
            let Some(planned) = entry.session() else {
                return Check::Dropped;
            };
            let why = recheck.why(after_failure);
            if let Some(why) = &why {
                stage.say(&format!(
                    "{label}: reading the table again before logging off session {} ({why})",
                    planned.id
                ));
                match stage.planner.look_again(server, plan) {
                    Ok(fresh) => {
                        warnings.extend(fresh.warnings);
                        recheck.read(fresh.read_at);
                        latest = Some(fresh.plan);
                    }
                    Err(e) => {
                        *error = Some(Error::Recheck(Box::new(e)));
                        return Check::Stop;
                    }
                }
            }
            let checked = recheck.checked(why.as_deref());
            let evidence = Evidence {
                server,
                entry,
                latest: latest.as_ref().unwrap_or(plan),
                age: recheck.age(),
                checked: &checked,
                warned: warned.and_then(|w| w.get(index)).and_then(Option::as_ref),
            };
            match gate::decide(Act::Verb(verb), &evidence, &stage.rules(Phase::Main)) {
                Ok(approved) => Check::Go(approved),
                Err(Refusal::Changed(Found::Gone(m))) => {
                    Check::Settled(Outcome::GoneBeforeLogoff(m))
                }
                Err(Refusal::Changed(Found::Reused(m))) => Check::Settled(Outcome::ReusedId(m)),
                Err(Refusal::Changed(Found::NoLongerMatches(reason))) => {
                    dropped.push((index, reason));
                    Check::Dropped
                }
                Err(refusal @ Refusal::NotWarned(_)) => {
                    Check::Settled(Outcome::NotWarned(refusal.text()))
                }
                Err(refusal) => {
                    stage.say(&format!(
                        "{label}: session {} was not {}: {}",
                        planned.id,
                        verb.past(),
                        refusal.text()
                    ));
                    Check::Settled(Outcome::NotRun)
                }
            }
        };
        execute::execute(
            plan,
            &mut outcomes,
            &Logoff {
                host: stage.host,
                timeout: stage.config.timeout,
                text: &text,
                stop: &stop,
                verb: stage.config.verb,
                parallel: stage.config.parallel,
            },
            &mut check,
            &mut |index| {
                stage.events.record(Record::Started {
                    server: label,
                    entry: &plan.entries[index],
                })
            },
            &mut |index, outcome| {
                progress(stage, label, plan, index, outcome, true, !pending(outcome))
            },
        );
    }
    for (index, reason) in dropped {
        let entry = &mut done.plan.entries[index];
        entry.action = Action::Skip;
        entry.reason = reason;
        stage.events.record(Record::Decision {
            server: label,
            entry,
        });
    }
    if error.is_none() && !stage.stopping() {
        return Some(Looks { outcomes });
    } else {
        let why = if stage.stopping() {
            "stopped by Ctrl-C"
        } else {
            "the re-check failed, so the run on this server stopped"
        };
        for (index, o) in outcomes.iter_mut().enumerate() {
            if let Some(Outcome::LoggedOffUnverified(m)) = o {
                *m = format!("logoff succeeded, not verified: {why}");
            }
            if let Some(now) = o.as_ref().filter(|o| pending(o)) {
                progress(stage, label, &done.plan, index, now, false, true);
            }
            // The own session kept for last is not logged off on a server whose run stopped.
            if *o == Some(Outcome::AfterReport) {
                *o = Some(Outcome::NotRun);
            }
        }
    }
    done.outcomes = Some(outcomes);
    None
}

/// Tells the `--log` what became of one logoff when `record`, and stderr when `say`: one line
/// per session, in words, once its outcome is final (`TS01: alice (3) logged off`); the tool's
/// words are in the report.
fn progress(
    stage: &Stage<'_>,
    label: &str,
    plan: &Plan,
    index: usize,
    outcome: &Outcome,
    record: bool,
    say: bool,
) {
    let entry = &plan.entries[index];
    if record {
        stage.events.record(Record::Outcome {
            server: label,
            entry,
            outcome,
        });
    }
    if let (Some(s), true) = (entry.session(), say) {
        let user = s.user.as_deref().map_or("-".into(), escape_for_display);
        stage.say(&format!(
            "{label}: {user} ({}) {}",
            s.id,
            OutcomeCode::from(outcome).words()
        ));
    }
}

/// Looks until the logged-off sessions are gone (`--verify-wait`), then resets the stuck ones
/// with `--reset-stuck`.
fn verify_and_reset(
    stage: &Stage<'_>,
    server: Option<&ServerName>,
    label: &str,
    plan: &Plan,
    outcomes: &mut [Option<Outcome>],
) {
    let config = stage.config;
    if let Some(why) = config.verb.unverifiable() {
        if outcomes.contains(&Some(Outcome::succeeded(config.verb))) {
            stage.say(&format!("{label}: {why}"));
        }
        return;
    }
    let before: Vec<Option<Outcome>> = outcomes.to_vec();
    let mut poll = || {
        stage
            .planner
            .look_again(server, plan)
            .map(|look| look.plan)
            .map_err(|e| e.to_string())
    };
    let stop = || stage.stopping();
    // The ID of a session that went now holds another user or another logon: say so, since the
    // report row only says logged_off.
    let note = |index: usize, what: &str| {
        if let Some(s) = plan.entries[index].session() {
            stage.say(&format!("{label}: session {}: {what}", s.id));
        }
    };
    let pending = outcomes
        .iter()
        .filter(|o| matches!(o, Some(Outcome::LoggedOffUnverified(_))))
        .count();
    if pending > 0 && !config.verify_wait.is_zero() {
        stage.say(&format!(
            "{label}: checking that {pending} logged-off session(s) are gone (up to {} s)",
            config.verify_wait.as_secs()
        ));
    }
    let stuck = verify::verify(
        plan,
        outcomes,
        Look {
            wait: config.verify_wait,
            poll: &mut poll,
            stop: &stop,
            note: &note,
        },
    );
    if config.reset_stuck && !stuck.is_empty() {
        let text = |b: &[u8]| stage.text(b);
        verify::reset_stuck(
            plan,
            outcomes,
            &stuck,
            Reset {
                host: stage.host,
                server,
                timeout: config.timeout,
                text: &text,
                poll: &mut poll,
                stop: &stop,
                note: &note,
                rules: &|| stage.rules(Phase::Main),
            },
        );
    }
    // Every logoff that waited for the looks is said now, with its final outcome.
    for (index, (was, now)) in before.iter().zip(outcomes.iter()).enumerate() {
        let waited =
            !config.verify_wait.is_zero() && matches!(was, Some(Outcome::LoggedOffUnverified(_)));
        if let Some(now) = now {
            if was.as_ref() != Some(now) || waited {
                progress(
                    stage,
                    label,
                    plan,
                    index,
                    now,
                    was.as_ref() != Some(now),
                    waited,
                );
            }
        }
    }
}
