//! Re-check: before a logoff on a table that is old, or after a logoff that failed, compare the
//! planned session with a fresh plan. It is logged off only when the same ID is listed once,
//! holding the same session ([`same_session`]), and is still planned for logoff.

use crate::plan::{Action, Plan, Reason, Subject};
use crate::table::session::{Session, State};
use crate::vocab::text::escape_for_display;
use std::time::{Duration, Instant};

/// The rule for reading the table again before a logoff: always after `--warn` (however short
/// the grace period), after a logoff that failed or timed out, and when the table in hand is
/// older than the limit. A small value, so the rule is stated once and tested alone.
#[derive(Debug, Clone)]
pub(crate) struct Recheck {
    /// When the table in hand was read.
    read_at: Instant,
    /// Older than this, it is read again.
    limit: Duration,
    /// Read it again before the next logoff whatever its age (after `--warn`).
    force: bool,
}

impl Recheck {
    /// The rule for a table read at `read_at`; `force`: read again before the first logoff.
    pub(crate) fn new(read_at: Instant, limit: Duration, force: bool) -> Recheck {
        Recheck {
            read_at,
            limit,
            force,
        }
    }

    /// Why the table must be read again before this logoff (`after_failure`: the previous one
    /// failed or timed out); `None`: the table in hand will do.
    pub(crate) fn why(&self, after_failure: bool) -> Option<String> {
        let age = self.read_at.elapsed();
        if self.force {
            Some("after the --warn grace period".to_string())
        } else if after_failure {
            Some("after a logoff that failed or timed out".to_string())
        } else if age > self.limit {
            Some(format!("the table was {} s old", age.as_secs()))
        } else {
            None
        }
    }

    /// How old the table in hand is.
    pub(crate) fn age(&self) -> Duration {
        self.read_at.elapsed()
    }

    /// A fresh table was read at `at`.
    pub(crate) fn read(&mut self, at: Instant) {
        self.read_at = at;
        self.force = false;
    }

    /// What the comparison rests on, for the report: the fresh read and `why` it was made, or
    /// the age of the table in hand.
    pub(crate) fn checked(&self, why: Option<&str>) -> String {
        match why {
            Some(why) => {
                format!("query session again, {why}; ID, user and session name compared")
            }
            None => format!(
                "query session read {} s before; ID, user and session name compared",
                self.read_at.elapsed().as_secs()
            ),
        }
    }
}

/// What the fresh table says about one planned session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found {
    /// Same ID, user and session name, still planned for logoff.
    Same,
    /// The ID is no longer listed; the text says what was checked.
    Gone(String),
    /// The ID belongs to another user or session name; the text names both.
    Reused(String),
    /// Same session, but it no longer passes the plan (filters, state, own session, a row not
    /// understood, an ID on two rows): skip it for this reason.
    NoLongerMatches(Reason),
}

/// How the planned session is shown in messages: `user "bob", session "rdp-tcp#3"`.
pub(crate) fn describe(s: &Session) -> String {
    let user = s.user.as_deref().map_or("no user".to_string(), |u| {
        format!("user \"{}\"", escape_for_display(u))
    });
    let name = s
        .name
        .as_deref()
        .map_or("no session name".to_string(), |n| {
            format!("session \"{}\"", escape_for_display(n))
        });
    format!("{user}, {name}")
}

/// Whether `now`, a fresh row with the same ID as `before`, is still the session that was
/// planned. The rule: the same user, and either the same session name, or `before` had a name
/// and `now` has none with state disconnected (disconnecting drops the session name; a new
/// logon always starts with one). Any other name change is not this session for acting on: a
/// different non-empty name is another logon, and a session planned without a name (it was
/// disconnected) that now has one was reconnected or is a new logon that reused the ID.
pub(crate) fn same_session(before: &Session, now: &Session) -> bool {
    if now.id != before.id || now.user != before.user {
        return false;
    }
    match (&before.name, &now.name) {
        (a, b) if a == b => true,
        (Some(_), None) => now.state == State::Disconnected,
        _ => false,
    }
}

/// How a fresh row is shown in messages: [`describe`] and its state word.
pub(crate) fn describe_now(s: &Session) -> String {
    format!(
        "{}, state \"{}\"",
        describe(s),
        escape_for_display(&s.state_word)
    )
}

/// Compares `before` (planned for logoff) with `fresh`; `checked` says how the fresh table was
/// read (e.g. "query session again, the table was 12 s old"), for the report.
pub(crate) fn compare(before: &Session, fresh: &Plan, checked: &str) -> Found {
    let id = before.id;
    let rows: Vec<_> = fresh
        .entries
        .iter()
        .filter(|e| e.session().is_some_and(|s| s.id == id))
        .collect();
    let id_word = id.to_string();
    let on_bad_line = fresh.entries.iter().any(|e| match &e.subject {
        Subject::Line(line) => line.raw.split_whitespace().any(|w| w == id_word),
        Subject::Session(_) => false,
    });
    let prefix = format!("re-check before logoff ({checked})");
    // A skip reason reads "at the re-check: ...", so it gets only what was checked.
    let skip =
        |why: String| Found::NoLongerMatches(Reason::NoLongerMatches(format!("{checked}: {why}")));
    match rows.as_slice() {
        [] if on_bad_line => skip(format!("ID {id} is on a line that is not understood")),
        [] => Found::Gone(format!(
            "{prefix}: ID {id} is no longer listed; logoff not run"
        )),
        [entry] => {
            let Some(now) = entry.session() else {
                return Found::Gone(format!("{prefix}: ID {id} is no longer listed"));
            };
            if !same_session(before, now) {
                Found::Reused(format!(
                    "{prefix}: ID {id} now belongs to {} (planned: {}); logoff not run",
                    describe_now(now),
                    describe(before)
                ))
            } else if entry.reason == Reason::AlreadyDisconnected {
                // --disconnect, and the session got disconnected meanwhile (which drops its
                // session name): nothing left to do.
                Found::NoLongerMatches(Reason::AlreadyDisconnected)
            } else if on_bad_line {
                skip(format!(
                    "ID {id} also appears on a line that is not understood"
                ))
            } else if entry.action != Action::Logoff {
                skip(entry.reason.text())
            } else {
                Found::Same
            }
        }
        many => skip(format!("ID {id} is listed on {} rows", many.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode, CodePage};
    use crate::plan::{plan, Options};
    use crate::table::parse::parse;

    fn plan_of(text: &str) -> Plan {
        plan(
            parse(&decode(text.as_bytes(), CodePage::Default(437)).unwrap()).unwrap(),
            Options::default(),
        )
    }

    const BEFORE: &str = " SESSIONNAME       USERNAME                 ID  STATE
 rdp-tcp#1         alice                     3  Active
                   bob                       4  Disc
 rdp-tcp#5         carol                     5  Active
 rdp-tcp#6         dave                      6  Active
";

    fn session(p: &Plan, id: u32) -> Session {
        p.entries
            .iter()
            .filter_map(|e| e.session())
            .find(|s| s.id.get() == id)
            .unwrap()
            .clone()
    }

    #[test]
    fn only_the_same_id_user_and_session_name_pass() {
        let old = plan_of(BEFORE);
        let fresh = plan_of(
            " SESSIONNAME       USERNAME                 ID  STATE
 rdp-tcp#9         mallory                   4  Active
 rdp-tcp#5         carol                     5  Active
 rdp-tcp#7         dave                      6  Active
",
        );
        let check = |id| compare(&session(&old, id), &fresh, "table 12 s old");
        assert!(
            matches!(check(3), Found::Gone(m) if m.contains("ID 3 is no longer listed") && m.contains("12 s old"))
        );
        match check(4) {
            Found::Reused(m) => {
                assert!(m.contains("user \"mallory\", session \"rdp-tcp#9\""), "{m}");
                assert!(m.contains("planned: user \"bob\", no session name"), "{m}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(check(5), Found::Same);
        // Same user, other session name: not the session that was planned.
        assert!(matches!(check(6), Found::Reused(_)));
    }

    #[test]
    fn the_same_user_who_disconnected_meanwhile_is_the_same_session_and_still_logged_off() {
        let old = plan_of(BEFORE);
        let fresh = plan_of(
            " SESSIONNAME       USERNAME                 ID  STATE
                   alice                     3  Disc
                   bob                       4  Disc
                   carol                     5  Down
 rdp-tcp#9         dave                      6  Active
",
        );
        let check = |id| compare(&session(&old, id), &fresh, "x");
        // rdp-tcp#1 active, now no session name and disconnected: the user disconnected.
        assert_eq!(check(3), Found::Same);
        // Planned disconnected and still so.
        assert_eq!(check(4), Found::Same);
        // No session name but not disconnected: not known to be the same session.
        match check(5) {
            Found::Reused(m) => assert!(
                m.contains("user \"carol\", no session name, state \"Down\""),
                "{m}"
            ),
            other => panic!("{other:?}"),
        }
        // Another non-empty session name: another logon.
        assert!(matches!(check(6), Found::Reused(_)));

        // A session planned while disconnected that now has a name was reconnected, or is a
        // new logon on the same ID: left alone.
        let reconnected = plan_of(
            " SESSIONNAME       USERNAME                 ID  STATE
 rdp-tcp#9         bob                       4  Active
",
        );
        match compare(&session(&old, 4), &reconnected, "x") {
            Found::Reused(m) => {
                assert!(
                    m.contains("now belongs to user \"bob\", session \"rdp-tcp#9\""),
                    "{m}"
                );
                assert!(m.contains("planned: user \"bob\", no session name"), "{m}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn same_session_needs_the_same_user_and_name_or_a_name_dropped_by_a_disconnect() {
        let old = plan_of(BEFORE);
        let head = BEFORE.lines().next().unwrap();
        let row = |id: u32, text: &str| session(&plan_of(&format!("{head}\n{text}\n")), id);
        let alice = session(&old, 3);
        let same = |now: &str| same_session(&alice, &row(3, now));
        assert!(same(
            " rdp-tcp#1         alice                     3  Active"
        ));
        assert!(same("                   alice                     3  Disc"));
        assert!(!same(
            "                   alice                     3  Down"
        ));
        assert!(!same(
            " rdp-tcp#2         alice                     3  Active"
        ));
        assert!(!same(
            " rdp-tcp#1         mallory                   3  Active"
        ));
        // Planned disconnected (no name): still so, or reconnected under a name.
        let bob = session(&old, 4);
        assert!(same_session(
            &bob,
            &row(4, "                   bob                       4  Disc")
        ));
        assert!(!same_session(
            &bob,
            &row(4, " rdp-tcp#9         bob                       4  Active")
        ));
        assert!(!same_session(
            &bob,
            &row(3, "                   bob                       3  Disc")
        ));
    }

    #[test]
    fn an_id_on_two_rows_or_a_line_not_understood_is_never_logged_off() {
        let old = plan_of(BEFORE);
        let fresh = plan_of(
            " SESSIONNAME       USERNAME                 ID  STATE
 rdp-tcp#5         carol                     5  Active
 rdp-tcp#5         carol                     5  Active
 rdp-tcp#1  \talice   3  Active
",
        );
        assert!(matches!(
            compare(&session(&old, 5), &fresh, "x"),
            Found::NoLongerMatches(_)
        ));
        assert!(matches!(
            compare(&session(&old, 3), &fresh, "x"),
            Found::NoLongerMatches(_)
        ));
    }

    #[test]
    fn for_disconnect_the_same_user_now_disconnected_is_left_alone_as_already_disconnected() {
        let old = plan_of(BEFORE);
        let mut fresh = plan_of(
            " SESSIONNAME       USERNAME                 ID  STATE
                   carol                     5  Disc
                   mallory                   6  Disc
",
        );
        crate::plan::apply_verb(&mut fresh, crate::vocab::Verb::Disconnect);
        assert_eq!(
            compare(&session(&old, 5), &fresh, "x"),
            Found::NoLongerMatches(Reason::AlreadyDisconnected)
        );
        // Another user on the ID is still a reused ID.
        assert!(matches!(
            compare(&session(&old, 6), &fresh, "x"),
            Found::Reused(_)
        ));
    }

    #[test]
    fn the_table_is_read_again_after_warn_after_a_failure_and_when_old() {
        let now = Instant::now();
        let mut rule = Recheck::new(now, Duration::from_secs(10), true);
        assert_eq!(
            rule.why(false).as_deref(),
            Some("after the --warn grace period")
        );
        rule.read(now);
        assert_eq!(rule.why(false), None);
        assert_eq!(
            rule.why(true).as_deref(),
            Some("after a logoff that failed or timed out")
        );
        let old = Recheck::new(
            now - Duration::from_secs(12),
            Duration::from_secs(10),
            false,
        );
        assert_eq!(old.why(false).as_deref(), Some("the table was 12 s old"));
        assert!(old
            .checked(None)
            .starts_with("query session read 12 s before"));
    }
}
