//! List: `--list`, a read-only inventory. Every server's `query session` rows joined with its
//! `query user` rows (or `--input` with `--input-user`); nothing is planned, asked or done.

use super::voice::Voice;
use crate::act::{for_each, Events, Planner};
use crate::exit_code::{self, Cause, ExitCode};
use crate::plan::Subject;
use crate::report::list::{Listed, ServerList, UserRow};
use crate::table::idle::IdleTable;
use crate::vocab::ServerName;

/// Lists every target; returns the lists and the exit code.
pub(super) fn run(
    voice: &Voice<'_>,
    planner: &Planner<'_>,
    targets: &[(String, Option<ServerName>)],
) -> (Vec<ServerList>, ExitCode) {
    let mut lists: Vec<(ServerList, Option<ServerName>)> = targets
        .iter()
        .map(|(label, target)| {
            let list = ServerList {
                server: label.clone(),
                rows: Vec::new(),
                error: None,
                warnings: Vec::new(),
            };
            (list, target.clone())
        })
        .collect();
    for_each(&mut lists, voice.config.jobs, |(l, target)| {
        list_one(planner, l, target.as_ref())
    });
    let lists: Vec<ServerList> = lists.into_iter().map(|(l, _)| l).collect();
    let code = exit_code::fold(lists.iter().flat_map(|l| {
        let not_understood = l.rows.iter().any(|r| matches!(r, Listed::Line { .. }));
        let error = l.error.as_ref().map(crate::error::Error::exit_code);
        error
            .into_iter()
            .chain(not_understood.then(|| Cause::NotUnderstood.into()))
    }));
    for l in &lists {
        if let Some(e) = &l.error {
            voice.say(&format!("error: {}: {e}", l.server));
        }
    }
    (lists, code)
}

/// Reads one server's two tables and joins them.
fn list_one(planner: &Planner<'_>, list: &mut ServerList, server: Option<&ServerName>) {
    let plan = match planner.look(server) {
        Ok(look) => {
            list.warnings.extend(look.warnings);
            look.plan
        }
        Err(e) => {
            list.error = Some(e);
            return;
        }
    };
    let users = match planner.source.read_idle(server) {
        Ok(Some(table)) => Some(table),
        Ok(None) => {
            list.warnings.push(
                "idle and logon time not shown: give --input-user with the `query user` capture"
                    .into(),
            );
            None
        }
        Err(e) => {
            list.warnings
                .push(format!("idle and logon time not shown: {e}"));
            None
        }
    };
    list.rows = plan
        .entries
        .into_iter()
        .map(|entry| match entry.subject {
            Subject::Session(session) => Listed::Session {
                user_row: join(users.as_ref(), &session),
                current: entry.current,
                session,
            },
            Subject::Line(line) => Listed::Line {
                line: line.line,
                raw: line.raw,
                why: line.why,
            },
        })
        .collect();
}

/// The `query user` row of a session: same ID, same user.
fn join(
    users: Option<&IdleTable>,
    session: &crate::table::session::Session,
) -> Result<UserRow, String> {
    let table = users.ok_or("query user not read")?;
    let user = session.user.as_deref().ok_or("nobody logged on")?;
    let entry = table
        .by_id
        .get(&session.id)
        .ok_or("not listed by query user")?;
    if entry.user.to_lowercase() != user.to_lowercase() {
        return Err(format!(
            "query user lists {} for session {}",
            crate::vocab::quote(&entry.user),
            session.id
        ));
    }
    Ok(UserRow {
        idle: entry.idle.clone(),
        idle_raw: entry.idle_text.clone(),
        logon: entry.logon.clone(),
    })
}
