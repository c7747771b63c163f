//! The safety invariant, checked from the raw facts (decoded lines), independently of how the
//! planner reasons: whatever bytes `query session` / `query user` print, the plan never logs
//! off the console (without --include-console), services / session 0, a listener, a row with
//! no user, a row not fully understood, an ID that stands on two lines (or on a line that was
//! not understood), or the caller's own session (without --include-self, and then only last);
//! with --idle-over, only sessions that query user lists with the same user and a readable
//! idle time over the limit. (An unknown state word does not block the default run.)
//! Shared by the fuzz target (fuzz/) and the mutation sweep (tests/sweep.rs).
#![allow(dead_code)]

use logoff_all::decode::{decode, CodePage};
use logoff_all::plan::filter::Filters;
use logoff_all::plan::{self, Action, Options, Plan, Subject};
use logoff_all::table::idle::{self, IdleTable};
use logoff_all::table::parse;
use logoff_all::table::session::{SessionId, State};
use std::time::Duration;

/// The options a run may be given.
#[derive(Debug, Clone, Copy)]
pub struct Opts {
    pub include_console: bool,
    pub include_self: bool,
    pub own_session: Option<u32>,
    pub code_page: CodePage,
    /// `--idle-over`, in minutes.
    pub idle_over: Option<u64>,
}

impl Default for Opts {
    fn default() -> Self {
        Opts {
            include_console: false,
            include_self: false,
            own_session: None,
            code_page: CodePage::Default(437),
            idle_over: None,
        }
    }
}

/// Runs decode → parse → plan on `session_bytes` (and `user_bytes` for --idle-over) and checks
/// the invariant. `Ok(None)`: the output as a whole was refused (nothing planned).
pub fn check(session_bytes: &[u8], user_bytes: &[u8], opts: Opts) -> Result<Option<Plan>, String> {
    let Ok(decoded) = decode(session_bytes, opts.code_page) else {
        return Ok(None);
    };
    let Ok(table) = parse::parse(&decoded) else {
        return Ok(None);
    };
    let filters = Filters {
        idle_over: opts.idle_over.map(|m| Duration::from_secs(m * 60)),
        ..Filters::default()
    };
    let idle: Option<IdleTable> = match opts.idle_over {
        None => None,
        Some(_) => match decode(user_bytes, opts.code_page).map(|d| idle::parse(&d)) {
            Ok(Ok(t)) => Some(t),
            _ => return Ok(None),
        },
    };
    // A paste that lost the column-0 space on every line (header included) has no marker
    // column: its rows start with the session name.
    let marker_column = table.header.marker_column;
    let plan = plan::plan(
        table,
        Options {
            include_console: opts.include_console,
            include_self: opts.include_self,
            own_session: opts.own_session.map(SessionId::new),
            filters: Some(&filters),
            idle: idle.as_ref(),
            own_user_unsure: None,
        },
    );
    let order = plan.logoff_order();
    let mut seen_current = false;
    for &i in &order {
        let entry = &plan.entries[i];
        let fail = |why: &str| Err(format!("entry {i} planned for logoff but {why}: {entry:?}"));
        let Subject::Session(s) = &entry.subject else {
            return fail("it was not understood");
        };
        if entry.action != Action::Logoff {
            return fail("its action is not logoff");
        }
        let line = decoded
            .lines
            .iter()
            .find(|l| l.number == s.line)
            .ok_or("session points to no line")?;
        if line.problem.is_some() {
            return fail("its line did not decode cleanly");
        }
        if line.text.contains('\t') || line.text.chars().any(char::is_control) {
            return fail("its line holds a tab or control character");
        }
        let first = line.text.chars().next();
        if marker_column && first != Some(' ') && first != Some('>') {
            return fail("its line does not start with ' ' or '>'");
        }
        let marked = first == Some('>');
        let user = s.user.as_deref().unwrap_or("");
        if user.trim().is_empty() {
            return fail("it has no user");
        }
        if !line.text.contains(user) {
            return fail("its user is not on its line");
        }
        let id = s.id.get();
        let id_token = line.text.split(' ').any(|w| w == id.to_string());
        if !id_token {
            return fail("its ID is not a word of its line");
        }
        if id == 0 {
            return fail("it is session 0");
        }
        if id >= 65536 || s.state == State::Listen {
            return fail("it is a listener");
        }
        let id_text = id.to_string();
        let elsewhere = plan.entries.iter().any(|e| match &e.subject {
            Subject::Session(other) => other.line != s.line && other.id == s.id,
            Subject::Line(l) => l.raw.split_whitespace().any(|w| w == id_text),
        });
        if elsewhere {
            return fail("its ID stands on another row too, or on a line not understood");
        }
        let name = s.name.as_deref().unwrap_or("");
        if name.eq_ignore_ascii_case("services") {
            return fail("it is the services session");
        }
        if name.eq_ignore_ascii_case("console") && !opts.include_console {
            return fail("it is the console");
        }
        let current = marked || opts.own_session == Some(id);
        if current != entry.current {
            return fail("its own-session flag is wrong");
        }
        if current && !opts.include_self {
            return fail("it is the caller's own session");
        }
        if seen_current && !current {
            return fail("it comes after the caller's own session");
        }
        seen_current |= current;
        if let Some(limit) = opts.idle_over {
            let table = idle.as_ref().expect("idle read");
            let Some(e) = table.by_id.get(&s.id) else {
                return fail("query user does not list it");
            };
            if e.user.to_lowercase() != user.to_lowercase() {
                return fail("query user lists another user for its ID");
            }
            match &e.idle {
                Ok(d) if d.as_secs() > limit * 60 && d.as_secs() <= 366 * 86400 => {}
                _ => return fail("its idle time is not over the limit"),
            }
        }
    }
    Ok(Some(plan))
}
