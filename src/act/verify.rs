//! Verify: after the logoffs on a server, read the table again until every session that
//! `logoff` said it ended is gone, or `--verify-wait` runs out. A session still listed with the
//! same ID and user is `still_present` (a failed logoff); `--reset-stuck` then ends it with the
//! stock `reset session <id>`, after one more look that it is still the same session.

use crate::act::classify::{classify, Answer};
use crate::act::execute::Outcome;
use crate::act::recheck::describe;
use crate::config::ServerName;
use crate::host::{Call, Host};
use crate::plan::{Plan, Subject};
use crate::table::session::Session;
use std::time::{Duration, Instant};

/// The first pause between two looks; it doubles up to [`MAX_INTERVAL`].
pub const FIRST_INTERVAL: Duration = Duration::from_millis(500);
/// The longest pause between two looks.
pub const MAX_INTERVAL: Duration = Duration::from_secs(4);

/// How to look again.
pub struct Look<'a> {
    /// `--verify-wait`: how long to keep looking; zero turns verification off.
    pub wait: Duration,
    /// Reads the table again (query, decode, parse, plan), or says why it could not.
    pub poll: &'a mut dyn FnMut() -> Result<Plan, String>,
    /// Whether to stop (Ctrl-C).
    pub stop: &'a dyn Fn() -> bool,
}

/// Whether `fresh` still lists `s`: the same ID with the same user, or the ID on a line that is
/// not understood (then it cannot be called gone).
fn listed(fresh: &Plan, s: &Session) -> bool {
    let id = s.id.to_string();
    fresh.entries.iter().any(|e| match &e.subject {
        Subject::Session(now) => now.id == s.id && now.user == s.user,
        Subject::Line(line) => line.raw.split_whitespace().any(|w| w == id),
    })
}

/// Verifies every `logged_off_unverified` outcome of `plan`: `logged_off` once a fresh table no
/// longer lists it, `still_present` when the last look within the wait still did, and otherwise
/// (`--verify-wait 0`, Ctrl-C, a query that failed) `logged_off_unverified` saying why.
/// Returns the indexes that are `still_present`.
pub fn verify(plan: &Plan, outcomes: &mut [Option<Outcome>], look: Look<'_>) -> Vec<usize> {
    let mut pending: Vec<usize> = (0..outcomes.len())
        .filter(|&i| matches!(outcomes[i], Some(Outcome::LoggedOffUnverified(_))))
        .filter(|&i| plan.entries[i].session().is_some())
        .collect();
    if pending.is_empty() {
        return Vec::new();
    }
    let unverified = |why: &str| {
        Some(Outcome::LoggedOffUnverified(format!(
            "logoff succeeded, not verified: {why}"
        )))
    };
    if look.wait.is_zero() {
        for &i in &pending {
            outcomes[i] = unverified("--verify-wait 0");
        }
        return Vec::new();
    }
    let start = Instant::now();
    let mut interval = FIRST_INTERVAL;
    let mut looks = 0;
    let mut last: Result<(), String>;
    loop {
        if (look.stop)() {
            last = Err("stopped by Ctrl-C".to_string());
            break;
        }
        match (look.poll)() {
            Ok(fresh) => {
                looks += 1;
                last = Ok(());
                pending.retain(|&i| {
                    let still = plan.entries[i].session().is_some_and(|s| listed(&fresh, s));
                    if !still {
                        outcomes[i] = Some(Outcome::LoggedOff);
                    }
                    still
                });
            }
            Err(e) => last = Err(format!("query session failed: {e}")),
        }
        let elapsed = start.elapsed();
        if pending.is_empty() || elapsed >= look.wait {
            break;
        }
        let pause = interval.min(look.wait - elapsed);
        let until = Instant::now() + pause;
        while Instant::now() < until && !(look.stop)() {
            std::thread::sleep((until - Instant::now()).min(Duration::from_millis(100)));
        }
        interval = (interval * 2).min(MAX_INTERVAL);
    }
    let secs = start.elapsed().as_secs_f64();
    match last {
        Ok(()) => {
            for &i in &pending {
                if let Some(s) = plan.entries[i].session() {
                    outcomes[i] = Some(Outcome::StillPresent(format!(
                        "logoff exited 0, but query session still listed ID {} ({}) {secs:.1} s \
                         later, after {looks} look(s)",
                        s.id,
                        describe(s)
                    )));
                }
            }
            pending
        }
        Err(why) => {
            for &i in &pending {
                outcomes[i] = unverified(&why);
            }
            Vec::new()
        }
    }
}

/// How to end sessions that stayed listed.
pub struct Reset<'a> {
    /// Runs the program.
    pub host: &'a dyn Host,
    /// The server, `None` for this computer.
    pub server: Option<&'a ServerName>,
    /// Time each `reset session` may take.
    pub timeout: Duration,
    /// Decodes the child's messages.
    pub text: &'a dyn Fn(&[u8]) -> String,
    /// Reads the table again before a reset.
    pub poll: &'a mut dyn FnMut() -> Result<Plan, String>,
    /// Whether to stop (Ctrl-C).
    pub stop: &'a dyn Fn() -> bool,
}

/// `--reset-stuck`: for each `still_present` index, looks once more (the table is read again
/// before every reset) and, if the same ID and user are still listed, runs `reset session
/// <id>`: `reset` when it exits 0 silently, `reset_failed` with its words otherwise. One that
/// went in the meantime becomes `logged_off`.
pub fn reset_stuck(
    plan: &Plan,
    outcomes: &mut [Option<Outcome>],
    stuck: &[usize],
    reset: Reset<'_>,
) {
    for &i in stuck {
        let (Some(s), Some(Outcome::StillPresent(was))) =
            (plan.entries[i].session(), outcomes[i].clone())
        else {
            continue;
        };
        if (reset.stop)() {
            break;
        }
        let fresh = match (reset.poll)() {
            Ok(fresh) => fresh,
            Err(e) => {
                outcomes[i] = Some(Outcome::StillPresent(format!(
                    "{was}; not reset: the query before reset failed: {e}"
                )));
                continue;
            }
        };
        if !listed(&fresh, s) {
            outcomes[i] = Some(Outcome::LoggedOff);
            continue;
        }
        let result = reset
            .host
            .run(&Call::Reset(s.id), reset.server, reset.timeout);
        outcomes[i] = Some(match classify(result, s.id, reset.text) {
            Answer::Done => Outcome::Reset(format!("{was}; ended with reset session {}", s.id)),
            Answer::NotFound(_) => Outcome::LoggedOff,
            Answer::Failed(m) => Outcome::ResetFailed(format!("{was}; reset session failed: {m}")),
            Answer::TimedOut(t) => Outcome::ResetFailed(format!(
                "{was}; reset session did not finish within {} s",
                t.as_secs_f64()
            )),
        });
    }
}

#[cfg(test)]
mod tests;
