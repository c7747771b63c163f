//! List: `--list`, a read-only inventory. Every server's `query session` rows joined with its
//! `query user` rows (or `--input` with `--input-user`); nothing is planned, asked or done.

use super::{for_each, label, survey, Ctx};
use crate::config::{Format, Source};
use crate::exit_code::{self, Cause, ExitCode};
use crate::plan::Subject;
use crate::report::list::{self, Listed, ServerList, UserRow};
use crate::table::idle::IdleTable;
use std::io::{BufRead, Write};

/// Lists every server and writes the inventory (to the `--output` file when there is one, a CSV
/// one with a UTF-8 byte order mark); returns the exit code.
pub(super) fn run(
    ctx: &Ctx<'_>,
    out: &mut dyn Write,
    file: Option<std::fs::File>,
    input: &mut dyn BufRead,
) -> ExitCode {
    let config = ctx.config;
    let mut lists: Vec<ServerList> = config
        .targets()
        .iter()
        .map(|s| ServerList {
            server: label(s.as_ref()),
            rows: Vec::new(),
            error: None,
            warnings: Vec::new(),
        })
        .collect();
    match (&config.source, lists.first_mut()) {
        (Source::Input { .. }, Some(first)) => list_one(ctx, first, Some(input)),
        _ => for_each(&mut lists, config.jobs, |l| list_one(ctx, l, None)),
    }
    let code = exit_code::fold(lists.iter().flat_map(|l| {
        let not_understood = l.rows.iter().any(|r| matches!(r, Listed::Line { .. }));
        let error = l.error.as_ref().map(crate::error::Error::exit_code);
        error
            .into_iter()
            .chain(not_understood.then(|| Cause::NotUnderstood.into()))
    }));
    for l in &lists {
        if let Some(e) = &l.error {
            ctx.say(&format!("error: {}: {e}", l.server));
        }
    }
    let bom = file.is_some();
    let mut out: std::io::BufWriter<Box<dyn Write + '_>> = match file {
        Some(file) => std::io::BufWriter::new(Box::new(file)),
        None => std::io::BufWriter::new(Box::new(out)),
    };
    let written = match config.format {
        Format::Table => list::table(&mut out, &lists),
        Format::Json => list::json(&mut out, &lists, code),
        Format::Csv if bom => out
            .write_all(crate::report::csv::BOM)
            .and_then(|()| list::csv(&mut out, &lists)),
        Format::Csv => list::csv(&mut out, &lists),
    };
    if let Err(e) = written.and_then(|()| out.flush()) {
        ctx.say(&format!("warning: the report could not be written: {e}"));
    }
    code
}

/// Reads one server's two tables and joins them.
fn list_one(ctx: &Ctx<'_>, list: &mut ServerList, stdin: Option<&mut dyn BufRead>) {
    let server = server_of_list(ctx, &list.server);
    let plan = match survey::read_plan(ctx, server.as_ref(), stdin, &mut list.warnings) {
        Ok((plan, _, _, _)) => plan,
        Err(e) => {
            list.error = Some(e);
            return;
        }
    };
    let users = match survey::read_idle(ctx, server.as_ref()) {
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

fn server_of_list(ctx: &Ctx<'_>, label: &str) -> Option<crate::vocab::ServerName> {
    ctx.config
        .targets()
        .into_iter()
        .flatten()
        .find(|s| s.as_str() == label)
}
