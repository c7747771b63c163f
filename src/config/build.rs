//! Building the config from the parsed command line: values checked together, list files read,
//! the mode decided once.

use super::{Config, Mode, Source, Warning};
use crate::cli::workflow::{UnknownIdleArg, WorkflowArgs};
use crate::cli::Cli;
use crate::decode;
use crate::error::Error;
use crate::plan::filter::{self, Filters, Pattern, UnknownIdle};
use crate::vocab::file;
use crate::vocab::Verb;
use crate::vocab::{quote, ServerName};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The wait after `--warn` when `--grace` is not given.
pub(crate) const DEFAULT_GRACE: Duration = Duration::from_secs(300);

/// The longest `--warn` message `msg` is asked to show.
const MAX_WARNING: usize = 255;

/// Checks the flags together and makes the run's config.
pub(crate) fn build(cli: Cli) -> Result<Config, Error> {
    super::paths::check(&cli)?;
    // Each server with where it was named, to refuse one named twice (merging them would
    // hide a mistake in the list).
    let mut servers: Vec<(ServerName, String)> = Vec::new();
    let mut add = |name: &str, place: String| -> Result<(), Error> {
        let server =
            ServerName::parse(name.trim()).map_err(|e| Error::Usage(format!("{place}: {e}")))?;
        let at = format!("{place} {}", quote(name.trim()));
        if let Some((_, first)) = servers
            .iter()
            .find(|(s, _)| s.as_str().eq_ignore_ascii_case(server.as_str()))
        {
            return Err(Error::Usage(format!(
                "server {} is named twice: {first} and {at}; give each server once (nothing \
                 was done)",
                quote(server.as_str())
            )));
        }
        servers.push((server, at));
        Ok(())
    };
    for name in &cli.server {
        add(name, "--server".to_string())?;
    }
    if let Some(path) = &cli.servers_file {
        let todo = "give a text file of server names, one per line";
        let text = file::read_list("--servers-file", path, todo).map_err(Error::Usage)?;
        let mut named = 0;
        for (line, name) in list_entries(&text) {
            add(name, format!("--servers-file {}:{line}", path.display()))?;
            named += 1;
        }
        if named == 0 {
            return Err(Error::Usage(format!(
                "--servers-file {} names no server (only blank lines and # comments); {todo}",
                path.display()
            )));
        }
    }
    let servers: Vec<ServerName> = servers.into_iter().map(|(s, _)| s).collect();
    if let Some(cp) = cli.codepage {
        if !decode::is_supported(cp) {
            return Err(Error::Usage(format!(
                "--codepage {cp} is not supported; use one of: {}",
                decode::supported_list()
            )));
        }
    }
    let source = match cli.input {
        Some(path) => {
            if path.as_os_str() != "-" {
                // A missing, oversized or special file is a file error now, not a failed
                // "server" later; checked without opening it (a pipe would wait for a writer).
                file::check(&path, file::CAPTURE_LIMIT).map_err(|source| Error::Input {
                    path: path.clone(),
                    source,
                })?;
            }
            Source::Input { path }
        }
        None => Source::Query(servers),
    };
    let mut filters = Filters {
        idle_over: cli.idle_over,
        ..Filters::default()
    };
    for word in &cli.state {
        filters
            .states
            .push(filter::parse_state(word).map_err(Error::Usage)?);
    }
    for p in &cli.user {
        filters
            .users
            .push(Pattern::include(p).map_err(Error::Usage)?);
    }
    for p in &cli.exclude_user {
        filters
            .exclude_users
            .push(Pattern::exclusion(p).map_err(|e| Error::Usage(format!("--exclude-user: {e}")))?);
    }
    if let Some(path) = &cli.exclude_file {
        let todo = "give a text file of user names to keep, one per line";
        let text = file::read_list("--exclude-file", path, todo).map_err(Error::Usage)?;
        let patterns = filter::list::parse(&path.display().to_string(), &text)
            .map_err(|e| Error::Usage(format!("--exclude-file: {e}")))?;
        filters.exclude_users.extend(patterns);
    }
    let warning = match &cli.warn {
        Some(text) => Some(Warning {
            message: check_warning(text)?,
            grace: cli.grace.unwrap_or(DEFAULT_GRACE),
        }),
        None => None,
    };
    // Admin workflows.
    let verb = workflow(&cli.workflow, &mut filters, warning.as_ref(), &source)?;
    if let Some(path) = &cli.workflow.input_user {
        file::check(path, file::CAPTURE_LIMIT).map_err(|source| Error::InputUser {
            path: path.clone(),
            source,
        })?;
    }
    // Verification after the logoffs.
    if cli.reset_stuck && cli.verify_wait.is_zero() {
        return Err(Error::Usage(
            "--reset-stuck cannot be used with --verify-wait 0: a stuck session is one still \
             listed when the verification ends, and --verify-wait 0 turns verification off"
                .to_string(),
        ));
    }
    let mode = if cli.workflow.list {
        Mode::List
    } else if cli.dry_run || matches!(source, Source::Input { .. }) {
        Mode::DryRun
    } else {
        Mode::Act
    };
    let tools_dir = cli.tools_dir.as_deref().map(tools_dir).transpose()?;
    Ok(Config {
        source,
        code_page: cli.codepage,
        include_console: cli.include_console,
        include_self: cli.include_self,
        filters,
        warning,
        mode,
        yes: cli.yes,
        timeout: cli.timeout,
        jobs: usize::from(cli.jobs),
        parallel: usize::from(cli.parallel),
        format: cli.format,
        output: cli.output,
        log: cli.log,
        event_log: cli.event_log,
        tools_dir,
        verb,
        drain: cli.workflow.drain || cli.workflow.drain_until_restart,
        drain_until_restart: cli.workflow.drain_until_restart,
        restore_logons: cli.workflow.restore_logons,
        input_user: cli.workflow.input_user,
        warn_exact: cli.workflow.warn_exact,
        even_if_unwarned: cli.workflow.even_if_unwarned,
        verify_wait: cli.verify_wait,
        reset_stuck: cli.reset_stuck,
        check: cli.check,
        save_capture: cli.save_capture,
    })
}

/// The admin-workflow flags: checks them with the rest, adds their filters, and returns the verb.
fn workflow(
    flags: &WorkflowArgs,
    filters: &mut Filters,
    warning: Option<&Warning>,
    source: &Source,
) -> Result<Verb, Error> {
    let verb = flags.verb();
    for p in &flags.session_name {
        filters
            .session_names
            .push(Pattern::session_name(p).map_err(Error::Usage)?);
    }
    if flags.unknown_idle == Some(UnknownIdleArg::Logoff) {
        filters.unknown_idle = UnknownIdle::Logoff;
    }
    if let Some(w) = warning {
        // The text as sent, with the grace in it, must still be a valid message.
        check_warning(&crate::vocab::message::render(
            &w.message,
            w.grace,
            flags.warn_exact,
            verb,
        ))?;
    }
    if flags.input_user.as_deref() == Some(Path::new("-")) {
        return Err(Error::Usage(
            "--input-user - is not supported: give the file of a captured `query user` output"
                .into(),
        ));
    }
    let offline = matches!(source, Source::Input { .. });
    if offline && filters.idle_over.is_some() && flags.input_user.is_none() {
        return Err(Error::Usage(
            "--idle-over with --input needs --input-user FILE, a `query user` output captured \
             with the `query session` one"
                .into(),
        ));
    }
    Ok(verb)
}

/// `--tools-dir` (for tests) made absolute once, here: a relative folder is taken from the
/// current directory at startup, and never looked up again.
fn tools_dir(dir: &Path) -> Result<PathBuf, Error> {
    std::path::absolute(dir).map_err(|e| {
        Error::Usage(format!(
            "--tools-dir {}: {e}; give the folder holding the stand-in tools",
            quote(&dir.to_string_lossy())
        ))
    })
}

/// The entries of a `--servers-file`: one name per line, `#` starts a comment anywhere (no
/// server name holds one), blank lines ignored; each with its line number.
fn list_entries(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.split('#').next().unwrap_or("").trim()))
        .filter(|(_, l)| !l.is_empty())
}

/// Checks a `--warn` text (also as sent, with the grace in it): one line, not empty, not too
/// long, nothing `msg` would read as an option; returns it trimmed.
pub(crate) fn check_warning(text: &str) -> Result<String, Error> {
    let t = text.trim();
    let bad = |why: &str| {
        Err(Error::Usage(format!(
            "--warn message {} {why}",
            quote(text)
        )))
    };
    if t.is_empty() {
        return bad("is empty");
    }
    if t.chars().count() > MAX_WARNING {
        return bad(&format!("is longer than {MAX_WARNING} characters"));
    }
    if t.chars().any(char::is_control) {
        return bad("contains a line break or control character; use one line");
    }
    if t.starts_with(['/', '-', '@']) {
        return bad("starts with '/', '-' or '@', which msg would read as an option or a file");
    }
    Ok(t.to_string())
}
