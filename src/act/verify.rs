//! Verify: after the logoffs on a server, read the table again until every session that
//! `logoff` said it ended is gone, or `--verify-wait` runs out. A session still listed is
//! `still_present` (a failed logoff); `--reset-stuck` then ends it with the stock
//! `reset session <id>`, after one more look that it is still the same session.
//!
//! The rule (ID, user and session name): the session is gone when its ID is no longer listed,
//! or is listed with another user. With the same ID and user it is still there when the name is
//! the same, or when one side has no name (a session that disconnected drops its name, and a
//! disconnected one that reconnected gains one); under another non-empty name it may be a new
//! logon or the same session disconnected and reconnected between two looks, so it is not
//! called gone either. `reset session` runs only on the
//! same session as [`same_session`] decides (a reconnected one might be a new logon, so it is
//! left alone), never on an ID on two rows or on a line that is not understood.

use crate::act::classify::{classify, Answer};
use crate::act::gate::{self, Act, Evidence, Rules};
use crate::act::outcome::Outcome;
use crate::act::recheck::{describe, describe_now, same_session};
use crate::host::Host;
use crate::plan::{Plan, Subject};
use crate::table::session::Session;
use crate::vocab::duration::Secs;
use crate::vocab::ServerName;
use std::time::{Duration, Instant};

/// A look ends about this long after the one before it began (the next starts this long after
/// the previous one began, less the time that one took), so a session that went is seen at
/// most about this late.
pub(crate) const LOOK_EVERY: Duration = Duration::from_secs(1);
/// The least pause between the end of one look and the start of the next: two looks never run
/// at once, and a slow server is asked at most about once per (its query time + this). With
/// [`LOOK_EVERY`], looks start at least 0.625 s apart, so a wait `W` takes at most
/// `2 + W / 0.625 s` looks on a server (the last one at the end of the wait).
pub(crate) const LEAST_PAUSE: Duration = Duration::from_millis(250);

/// When the look after one that began at `began` and took `took` starts: [`LOOK_EVERY`] after
/// `began`, less `took`, and at least [`LEAST_PAUSE`] after it ended.
pub(crate) fn next_look(began: Instant, took: Duration) -> Instant {
    (began + LOOK_EVERY.saturating_sub(took)).max(began + took + LEAST_PAUSE)
}

/// How to look again.
pub(crate) struct Look<'a> {
    /// `--verify-wait`: how long to keep looking; zero turns verification off.
    pub(crate) wait: Duration,
    /// Reads the table again (query, decode, parse, plan), or says why it could not.
    pub(crate) poll: &'a mut dyn FnMut() -> Result<Plan, String>,
    /// Whether to stop (Ctrl-C).
    pub(crate) stop: &'a dyn Fn() -> bool,
    /// Told about a plan index whose ID a fresh table showed holding another user or another
    /// session (the logoff worked, and the new session is left alone); the text quotes the row.
    pub(crate) note: &'a dyn Fn(usize, &str),
}

/// What a fresh table says about a session that `logoff` said it ended; the texts quote what
/// the table showed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    /// Gone: the ID is not listed.
    Gone,
    /// Gone: the ID now holds another user, or another session name (a new logon).
    Replaced(String),
    /// The same session, listed once ([`same_session`]): reset may end it.
    Same(String),
    /// Still listed but not certainly the same session (reconnected, or the name dropped in a
    /// state other than disconnected), or the ID is on two rows or on a line not understood:
    /// cannot be called gone, and is never reset.
    Unsure(String),
}

/// Looks `s` up in `fresh` by ID, user and session name (the rule in the module text).
fn seen(fresh: &Plan, s: &Session) -> Seen {
    let id = s.id.to_string();
    if fresh.entries.iter().any(|e| match &e.subject {
        Subject::Line(line) => line.raw.split_whitespace().any(|w| w == id),
        Subject::Session(_) => false,
    }) {
        return Seen::Unsure(format!("ID {id} on a line that is not understood"));
    }
    let rows: Vec<&Session> = fresh
        .entries
        .iter()
        .filter_map(|e| e.session())
        .filter(|now| now.id == s.id)
        .collect();
    let now = match rows.as_slice() {
        [] => return Seen::Gone,
        [now] => *now,
        many => return Seen::Unsure(format!("ID {id} listed on {} rows", many.len())),
    };
    let shown = format!("ID {id} ({})", describe_now(now));
    if now.user != s.user {
        return Seen::Replaced(format!("{shown}: another user (planned: {})", describe(s)));
    }
    if same_session(s, now) {
        return Seen::Same(shown);
    }
    match (&s.name, &now.name) {
        // The same user under another name: a new logon on the same ID, or the same session
        // disconnected and reconnected between two looks (a reconnection gets a new name).
        // The tables cannot tell which, so it is not called gone.
        (Some(_), Some(_)) => Seen::Unsure(format!(
            "{shown}: the same user under another session name (planned: {}): a new logon, or \
             the same session reconnected",
            describe(s)
        )),
        (None, Some(_)) => Seen::Unsure(format!(
            "{shown}; planned with no session name: reconnected, or a new logon on the same ID"
        )),
        _ => Seen::Unsure(format!("{shown}; planned: {}", describe(s))),
    }
}

/// Verifies every `logged_off_unverified` outcome of `plan`: `logged_off` once a fresh table no
/// longer lists it, `still_present` when the last look within the wait still did, and otherwise
/// (`--verify-wait 0`, Ctrl-C, a query that failed) `logged_off_unverified` saying why. An
/// `already_gone` (the tool said "not found") is held to the same looks: it stays so only when
/// a fresh table does not list the session, and says so when nothing checked it.
/// Returns the indexes that are `still_present`.
pub(crate) fn verify(plan: &Plan, outcomes: &mut [Option<Outcome>], look: Look<'_>) -> Vec<usize> {
    let mut pending: Vec<usize> = (0..outcomes.len())
        .filter(|&i| {
            matches!(
                outcomes[i],
                Some(Outcome::LoggedOffUnverified(_) | Outcome::AlreadyGone(_))
            )
        })
        .filter(|&i| plan.entries[i].session().is_some())
        .collect();
    if pending.is_empty() {
        return Vec::new();
    }
    let unverified = |was: &Option<Outcome>, why: &str| match was {
        Some(Outcome::AlreadyGone(m)) => {
            Some(Outcome::AlreadyGone(format!("{m}; not verified: {why}")))
        }
        _ => Some(Outcome::LoggedOffUnverified(format!(
            "logoff succeeded, not verified: {why}"
        ))),
    };
    // Gone: a logoff that succeeded is now logged off; "not found" stays what the tool said.
    let gone = |was: &Option<Outcome>| match was {
        Some(Outcome::AlreadyGone(m)) => Some(Outcome::AlreadyGone(m.clone())),
        _ => Some(Outcome::LoggedOff),
    };
    if look.wait.is_zero() {
        for &i in &pending {
            outcomes[i] = unverified(&outcomes[i], "--verify-wait 0");
        }
        return Vec::new();
    }
    let start = Instant::now();
    let mut looks = 0;
    let mut last: Result<(), String>;
    // What the last look showed for each index still listed.
    let mut shown: Vec<String> = vec![String::new(); outcomes.len()];
    // Indexes some look showed as possibly another session: never reset, even if a later look
    // shows the planned identity again (a new logon of the same user may have disconnected).
    let mut doubted: Vec<bool> = vec![false; outcomes.len()];
    loop {
        if (look.stop)() {
            last = Err("stopped by Ctrl-C".to_string());
            break;
        }
        let began = Instant::now();
        let polled = (look.poll)();
        let next = next_look(began, began.elapsed());
        match polled {
            Ok(fresh) => {
                looks += 1;
                last = Ok(());
                pending.retain(|&i| {
                    let Some(s) = plan.entries[i].session() else {
                        return false;
                    };
                    match seen(&fresh, s) {
                        Seen::Gone => {
                            outcomes[i] = gone(&outcomes[i]);
                            false
                        }
                        Seen::Replaced(what) => {
                            outcomes[i] = gone(&outcomes[i]);
                            (look.note)(i, &format!("gone; {what}, left alone"));
                            false
                        }
                        Seen::Same(now) => {
                            shown[i] = now;
                            true
                        }
                        Seen::Unsure(now) => {
                            shown[i] = now;
                            doubted[i] = true;
                            true
                        }
                    }
                });
            }
            Err(e) => last = Err(format!("query session failed: {e}")),
        }
        let elapsed = start.elapsed();
        if pending.is_empty() || elapsed >= look.wait {
            break;
        }
        let until = next.min(start + look.wait);
        while Instant::now() < until && !(look.stop)() {
            std::thread::sleep((until - Instant::now()).min(Duration::from_millis(100)));
        }
    }
    let secs = Secs(start.elapsed());
    match last {
        Ok(()) => {
            for &i in &pending {
                let said = match &outcomes[i] {
                    Some(Outcome::AlreadyGone(m)) => format!("logoff answered \"{m}\""),
                    _ => "logoff exited 0".to_string(),
                };
                outcomes[i] = Some(Outcome::StillPresent(format!(
                    "{said}, but query session still listed {} {secs:.1} s later, \
                     after {looks} look(s){}",
                    shown[i],
                    if doubted[i] {
                        "; not reset: a look showed what may be another session on the ID"
                    } else {
                        ""
                    }
                )));
            }
            pending.retain(|&i| !doubted[i]);
            pending
        }
        Err(why) => {
            for &i in &pending {
                outcomes[i] = unverified(&outcomes[i], &why);
            }
            Vec::new()
        }
    }
}

/// How to end sessions that stayed listed.
pub(crate) struct Reset<'a> {
    /// Runs the program.
    pub(crate) host: &'a dyn Host,
    /// The server, `None` for this computer.
    pub(crate) server: Option<&'a ServerName>,
    /// Time each `reset session` may take.
    pub(crate) timeout: Duration,
    /// Decodes the child's messages.
    pub(crate) text: &'a dyn Fn(&[u8]) -> String,
    /// Reads the table again before a reset.
    pub(crate) poll: &'a mut dyn FnMut() -> Result<Plan, String>,
    /// Whether to stop (Ctrl-C).
    pub(crate) stop: &'a dyn Fn() -> bool,
    /// Told about a plan index whose ID the look before reset showed holding another user or
    /// another session (left alone); the text quotes the row.
    pub(crate) note: &'a dyn Fn(usize, &str),
    /// The gate's rules, as they stand at the moment of each decision (Ctrl-C may come
    /// during the look before a reset).
    pub(crate) rules: &'a (dyn Fn() -> Rules + 'a),
}

/// `--reset-stuck`: for each `still_present` index, looks once more (the table is read again
/// before every reset) and runs `reset session <id>` only if that look shows the same session
/// ([`same_session`], listed once): `reset` when it exits 0 silently, `reset_failed` with its
/// words otherwise. One that went in the meantime, or whose ID now holds another user or
/// session, becomes `logged_off`; one not certainly the same stays `still_present`, not reset.
/// A `reset session` answer "not found" is checked by another look: `logged_off` when the
/// session is gone, `reset_failed` when it is still listed, `still_present` when that look
/// failed.
pub(crate) fn reset_stuck(
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
        let asked = Instant::now();
        let fresh = match (reset.poll)() {
            Ok(fresh) => fresh,
            Err(e) => {
                outcomes[i] = Some(Outcome::StillPresent(format!(
                    "{was}; not reset: the query before reset failed: {e}"
                )));
                continue;
            }
        };
        let shown = match seen(&fresh, s) {
            Seen::Gone => {
                outcomes[i] = Some(Outcome::LoggedOff);
                continue;
            }
            Seen::Replaced(what) => {
                outcomes[i] = Some(Outcome::LoggedOff);
                (reset.note)(i, &format!("gone before reset; {what}, left alone"));
                continue;
            }
            Seen::Unsure(what) => {
                outcomes[i] = Some(Outcome::StillPresent(format!(
                    "{was}; not reset: the query before reset listed {what}"
                )));
                continue;
            }
            Seen::Same(shown) => shown,
        };
        let evidence = Evidence {
            server: reset.server,
            entry: &plan.entries[i],
            latest: &fresh,
            age: asked.elapsed(),
            checked: "query session again, before reset session",
            warned: None,
        };
        let approved = match gate::decide(Act::Reset, &evidence, &(reset.rules)()) {
            Ok(approved) => approved,
            Err(refusal) => {
                outcomes[i] = Some(Outcome::StillPresent(format!(
                    "{was}; not reset: {}",
                    refusal.text()
                )));
                continue;
            }
        };
        let result = approved.run(reset.host, reset.timeout);
        outcomes[i] = Some(match classify(result, s.id, reset.text) {
            // `reset` is said only once a fresh table no longer lists the session.
            Answer::Done => match (reset.poll)() {
                Ok(after) => match seen(&after, s) {
                    Seen::Gone | Seen::Replaced(_) => Outcome::Reset(format!(
                        "{was}; the query before reset listed {shown}; ended with reset \
                         session {}, and query session no longer lists it",
                        s.id
                    )),
                    Seen::Same(now) | Seen::Unsure(now) => Outcome::ResetFailed(format!(
                        "{was}; reset session {} exited 0, but query session still listed {now} \
                         after it",
                        s.id
                    )),
                },
                Err(e) => Outcome::Reset(format!(
                    "{was}; the query before reset listed {shown}; reset session {} exited 0; \
                     not verified: the query after it failed: {e}",
                    s.id
                )),
            },
            Answer::NotFound(m) => match (reset.poll)() {
                Ok(after) => match seen(&after, s) {
                    Seen::Gone | Seen::Replaced(_) => Outcome::LoggedOff,
                    Seen::Same(now) | Seen::Unsure(now) => Outcome::ResetFailed(format!(
                        "{was}; reset session answered \"{m}\", but query session still \
                         listed {now} after it"
                    )),
                },
                Err(e) => Outcome::StillPresent(format!(
                    "{was}; reset session answered \"{m}\", not confirmed: the query after \
                     it failed: {e}"
                )),
            },
            Answer::Failed(m) => Outcome::ResetFailed(format!("{was}; reset session failed: {m}")),
            Answer::TimedOut(t) => Outcome::ResetFailed(format!(
                "{was}; reset session did not finish within {} s",
                Secs(t)
            )),
        });
    }
}

#[cfg(test)]
mod tests;
