//! Survey: read one server's table (query or `--input`, then decode, parse) and plan it.

use super::{all_text, Ctx};
use crate::config::{Mode, ServerName, Source};
use crate::decode;
use crate::error::Error;
use crate::host::Locality;
use crate::plan::{self, Options, Plan, Subject};
use crate::query;
use crate::report::{Done, ServerResult};
use crate::table::idle::{self, IdleTable};
use crate::table::parse::{self, ParseError};
use std::io::BufRead;
use std::time::Instant;

/// Reads the table (and, for `--idle-over`, `query user`) of one server and plans it. A server
/// that fails, or has nothing more to do, is finished here.
pub(super) fn survey(ctx: &Ctx<'_>, result: &mut ServerResult, stdin: Option<&mut dyn BufRead>) {
    let started = Instant::now();
    let server = super::server_of(ctx, result);
    match read_plan(ctx, server.as_ref(), stdin, &mut result.warnings) {
        Ok((plan, encoding, read_at, idle)) => {
            result.done = Some(Done {
                plan,
                outcomes: None,
                warned: None,
                encoding,
                read_at,
                idle,
                verb: ctx.config.verb,
            });
            let lines: Vec<_> = result
                .done
                .iter()
                .flat_map(|d| d.plan.entries.iter())
                .filter_map(|e| match &e.subject {
                    Subject::Line(line) => Some(line),
                    Subject::Session(_) => None,
                })
                .collect();
            for warning in crate::table::summary::not_understood(&result.server, &lines) {
                ctx.say(&warning);
            }
        }
        Err(e) if e.is_setup() => {
            ctx.say(&format!("error: {e}"));
            result.error = Some(e);
            return;
        }
        Err(e) => {
            result.error = Some(e);
            ctx.server_failed(result);
        }
    }
    result.elapsed += started.elapsed();
    let planned = result
        .done
        .as_ref()
        .is_some_and(|d| !d.plan.logoff_order().is_empty());
    if result.error.is_some() || ctx.config.mode == Mode::DryRun || !planned {
        ctx.finished(result);
    }
}

/// Query (or read), decode, parse and plan; returns the plan, the encoding, when the table was
/// read and the `query user` table when it was read.
pub(super) fn read_plan(
    ctx: &Ctx<'_>,
    server: Option<&ServerName>,
    stdin: Option<&mut dyn BufRead>,
    warnings: &mut Vec<String>,
) -> Result<(Plan, String, Instant, Option<IdleTable>), Error> {
    let config = ctx.config;
    let text = |b: &[u8]| ctx.text(b);
    let (bytes, locality) = match &config.source {
        Source::Input { path, .. } => {
            let limit = crate::config::file::CAPTURE_LIMIT;
            let read = match stdin {
                Some(stdin) if path.as_os_str() == "-" => {
                    crate::config::file::read_limited(stdin, limit)
                }
                _ => crate::config::file::read(path, limit),
            };
            let bytes = read.map_err(|source| Error::Input {
                path: path.clone(),
                source,
            })?;
            // A captured table may come from any host: only its `>` marker tells the own session.
            (bytes, Locality::Remote)
        }
        Source::Query(_) => {
            let captured = query::sessions(ctx.host, server, config.timeout, &text)?;
            let stderr = query::one_line(&text(&captured.stderr));
            if !stderr.is_empty() {
                warnings.push(format!("query session also printed on stderr: {stderr}"));
            }
            let locality = server.map_or(Locality::Local, |s| ctx.host.locality(s));
            (captured.stdout, locality)
        }
    };
    let read_at = Instant::now();
    let decoded = decode::decode(&bytes, ctx.code_page)?;
    let table = match parse::parse(&decoded) {
        Ok(table) => table,
        Err(ParseError::NoHeader { .. }) if query::looks_like_error(&all_text(&decoded)) => {
            return Err(query::QueryError::ErrorText {
                what: "query session",
                message: query::one_line(&all_text(&decoded)),
            }
            .into())
        }
        Err(e) => return Err(e.into()),
    };
    if !table.counters.is_empty() {
        warnings.push(format!("{} /counter line(s) ignored", table.counters.len()));
    }
    let idle = match config.filters.idle_over {
        Some(_) => read_idle(ctx, server)?,
        None => None,
    };
    // When the server cannot be told from this computer, the caller's own user marks the
    // sessions that may be the caller's own.
    let own_user = match locality {
        Locality::Unknown => ctx.host.own_user(),
        Locality::Local | Locality::Remote => None,
    };
    let mut plan = plan::plan(
        table,
        Options {
            include_console: config.include_console,
            include_self: config.include_self,
            own_session: if locality == Locality::Local {
                ctx.host.own_session()
            } else {
                None
            },
            filters: Some(&config.filters),
            idle: idle.as_ref(),
            own_user_unsure: own_user.as_deref(),
        },
    );
    config.verb.apply(&mut plan);
    Ok((plan, decoded.encoding.to_string(), read_at, idle))
}

/// The `query user` table: run on the server, or read from `--input-user` with `--input`;
/// `None` with `--input` alone.
pub(super) fn read_idle(
    ctx: &Ctx<'_>,
    server: Option<&ServerName>,
) -> Result<Option<IdleTable>, Error> {
    let text = |b: &[u8]| ctx.text(b);
    let bytes = match (&ctx.config.source, &ctx.config.input_user) {
        (Source::Input { .. }, None) => return Ok(None),
        (Source::Input { .. }, Some(path)) => {
            crate::config::file::read(path, crate::config::file::CAPTURE_LIMIT).map_err(
                |source| Error::InputUser {
                    path: path.clone(),
                    source,
                },
            )?
        }
        (Source::Query(_), _) => match query::users(ctx.host, server, ctx.config.timeout, &text)? {
            None => return Ok(Some(IdleTable::default())),
            Some(captured) => captured.stdout,
        },
    };
    let decoded = decode::decode(&bytes, ctx.code_page)?;
    match idle::parse(&decoded) {
        Ok(table) => Ok(Some(table)),
        // A saved "No User exists for *" means nobody was logged on.
        Err(_)
            if query::one_line(&all_text(&decoded))
                .to_ascii_lowercase()
                .starts_with("no user exists") =>
        {
            Ok(Some(IdleTable::default()))
        }
        Err(e) => Err(e.into()),
    }
}
