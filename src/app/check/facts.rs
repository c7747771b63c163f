//! What `--check` finds, section by section: this computer, the tools, each server's
//! `query session` and `query user`, the logon mode, what each flag given needs, and the folders
//! that must be writable by administrators only.

use super::Finding;
use crate::act::drain::{describe, Change, DrainError};
use crate::config::{Config, Mode, Source};
use crate::decode::CodePage;
use crate::exit_code::Cause;
use crate::host::about::About;
use crate::host::acl::{self, AclError};
use crate::host::tools::{self, Tool};
use crate::host::{Host, LogonMode};
use crate::source;
use crate::table::parse::Row;
use crate::vocab::{ServerName, Verb};
use std::path::{Path, PathBuf};

/// What to do when an output is not understood.
const SEND: &str = "run logoff-all --check --save-capture DIR with the same flags and send the \
                    capture folder (README: \"If logoff-all does not understand your server\")";

/// Every section of the check, in order.
pub(super) fn gather(
    config: &Config,
    host: &dyn Host,
    about: &About,
) -> Vec<(String, Vec<Finding>)> {
    let mut sections = Vec::new();
    sections.push(("this computer".to_string(), computer(config, host, about)));
    let found: Vec<(Tool, Result<PathBuf, String>)> = Tool::ALL
        .iter()
        .map(|t| {
            let at = tools::locate(*t, config.tools_dir.as_deref()).map_err(|e| e.to_string());
            (*t, at)
        })
        .collect();
    sections.push((
        "tools".to_string(),
        found
            .iter()
            .map(|(t, at)| match at {
                Ok(path) => Finding::ok(format!("{} found at {}", t.file_name(), path.display())),
                Err(why) => Finding::ok(format!("note: {why}")),
            })
            .collect(),
    ));
    let code_page = match config.code_page {
        Some(cp) => CodePage::Forced(cp),
        None => CodePage::Default(host.oem_code_page()),
    };
    let mut input = std::io::empty();
    let reader = source::open(config, host, code_page, &mut input);
    let idle_needed = config.filters.idle_over.is_some() || config.mode == Mode::List;
    let mut needs = Vec::new();
    if let Err(why) = super::super::targets::check_distinct(&config.targets(), host, config.jobs) {
        needs.push(Finding::problem(Cause::Usage, why));
    }
    for server in config.targets() {
        let label = server
            .as_ref()
            .map_or("this computer".to_string(), ServerName::to_string);
        let mut lines = Vec::new();
        sessions(&*reader, server.as_ref(), &mut lines);
        users(&*reader, server.as_ref(), idle_needed, config, &mut lines);
        sections.push((format!("server {label}"), lines));
    }
    sections.push((
        "logon mode".to_string(),
        logon_mode(config, host, code_page),
    ));
    needs.extend(flags(config, host, &found));
    sections.push(("what the flags need".to_string(), needs));
    sections.push(("folders".to_string(), folders(config)));
    sections
}

fn computer(config: &Config, host: &dyn Host, about: &About) -> Vec<Finding> {
    let mut lines = Vec::new();
    if about.windows {
        lines.push(Finding::ok(format!(
            "Windows {}, display language {}",
            about.version.as_deref().unwrap_or("(version not told)"),
            about.language.as_deref().unwrap_or("(not told)")
        )));
    } else {
        lines.push(Finding::ok(
            "not Windows: the stand-in tools are checked; Windows version, language and folder \
             permissions are not",
        ));
    }
    let oem = host.oem_code_page();
    lines.push(Finding::ok(match config.code_page {
        Some(cp) => format!("OEM code page {oem}; decoding with --codepage {cp}"),
        None => format!("OEM code page {oem}, used to decode what the tools print"),
    }));
    lines.push(Finding::ok(match (host.own_session(), host.own_user()) {
        (Some(id), user) => format!(
            "own session {id}{}: never logged off without --include-self",
            user.map(|u| format!(" (user {u})")).unwrap_or_default()
        ),
        (None, Some(user)) => {
            format!("own session unknown (not asked of the system here); own user {user}")
        }
        (None, None) => "own session and user unknown".to_string(),
    }));
    lines
}

/// `query session` on one server.
fn sessions(reader: &dyn source::Source, server: Option<&ServerName>, lines: &mut Vec<Finding>) {
    match reader.read(server, false) {
        Ok(snapshot) => {
            let understood = snapshot.table.sessions().count();
            let skipped: Vec<usize> = snapshot
                .table
                .rows
                .iter()
                .filter_map(|r| match r {
                    Row::NotUnderstood(n) => Some(n.line),
                    Row::Session(_) => None,
                })
                .collect();
            if skipped.is_empty() {
                lines.push(Finding::ok(format!(
                    "query session understood: {understood} session(s)"
                )));
            } else {
                lines.push(Finding::problem(
                    Cause::NotUnderstood,
                    format!(
                        "query session partly understood: {understood} session(s), {} line(s) \
                         not understood (lines {:?}) would be skipped, never logged off; {SEND}",
                        skipped.len(),
                        skipped
                    ),
                ));
            }
            for w in snapshot.warnings {
                lines.push(Finding::ok(format!("note: {w}")));
            }
        }
        Err(e) => {
            let code = e.exit_code();
            let todo = if code.has(Cause::NotUnderstood) {
                SEND.to_string()
            } else {
                "nobody on this server would be logged off; fix the cause above and check again"
                    .to_string()
            };
            let cause = code.causes().first().copied().unwrap_or(Cause::QueryFailed);
            lines.push(Finding::problem(
                cause,
                format!("query session: {e}; {todo}"),
            ));
        }
    }
}

/// `query user` on one server: needed by `--idle-over` and `--list`, otherwise worth knowing.
fn users(
    reader: &dyn source::Source,
    server: Option<&ServerName>,
    needed: bool,
    config: &Config,
    lines: &mut Vec<Finding>,
) {
    let flag = if config.mode == Mode::List {
        "--list would show no idle or logon times"
    } else {
        "--idle-over would skip every session"
    };
    let problem = |cause, text: String| match needed {
        true => Finding::problem(cause, format!("{text}: {flag}")),
        false => Finding::ok(format!(
            "note: {text} (only --idle-over and --list need it)"
        )),
    };
    match reader.read_idle(server) {
        Ok(Some(table)) if !table.not_understood.is_empty() => lines.push(problem(
            Cause::NotUnderstood,
            format!(
                "query user: {} line(s) not understood; their sessions would have no idle time",
                table.not_understood.len()
            ),
        )),
        Ok(Some(table)) => lines.push(Finding::ok(format!(
            "query user understood: {} session(s) with idle times",
            table.order.len()
        ))),
        Ok(None) => lines.push(Finding::ok("query user: nothing to read")),
        Err(e) => {
            let code = e.exit_code();
            let cause = code.causes().first().copied().unwrap_or(Cause::QueryFailed);
            let text = if code.has(Cause::NotUnderstood) {
                format!("query user output not understood ({e}); {SEND}")
            } else {
                format!("query user: {e}")
            };
            lines.push(problem(cause, text));
        }
    }
}

/// `change logon /query` (the only `change` the check runs), on this computer.
fn logon_mode(config: &Config, host: &dyn Host, code_page: CodePage) -> Vec<Finding> {
    let text = |b: &[u8]| source::lossy(b, code_page);
    let change = Change {
        host,
        timeout: config.timeout,
        text: &text,
    };
    let read = change.query();
    let line = match &read {
        Ok(mode) => Finding::ok(format!(
            "logon mode: {} (change logon /query)",
            describe(*mode)
        )),
        Err(e) if config.drain => {
            let cause = match e {
                DrainError::NotUnderstood(_) => Cause::NotUnderstood,
                DrainError::Failed(_) => Cause::QueryFailed,
            };
            Finding::problem(
                cause,
                format!("--drain needs a readable logon mode: {e}; a run would stop before anyone is logged off"),
            )
        }
        Err(e) => Finding::ok(format!(
            "note: logon mode not read: {e} (only --drain needs it)"
        )),
    };
    if let Ok(LogonMode::Disable | LogonMode::Drain | LogonMode::DrainUntilRestart) = read {
        if config.drain {
            return vec![
                line,
                Finding::ok("note: new logons are already blocked; --drain would change nothing"),
            ];
        }
    }
    vec![line]
}

/// What each flag given needs from the tools, and `--drain` from the targets.
fn flags(
    config: &Config,
    host: &dyn Host,
    found: &[(Tool, Result<PathBuf, String>)],
) -> Vec<Finding> {
    let mut lines = Vec::new();
    let mut need = |tool: Tool, what: &str| {
        let at = found.iter().find(|(t, _)| *t == tool).map(|(_, at)| at);
        lines.push(match at {
            Some(Ok(path)) => Finding::ok(format!(
                "{what}: {} at {}",
                tool.file_name(),
                path.display()
            )),
            Some(Err(why)) => Finding::problem(
                Cause::Usage,
                format!(
                    "{what} needs {}: {why}; install the Remote Desktop Session Host tools, or \
                     leave the flag out",
                    tool.file_name()
                ),
            ),
            None => Finding::problem(
                Cause::Usage,
                format!("{what}: {} not looked for", tool.file_name()),
            ),
        });
    };
    let acting = config.mode == Mode::Act;
    if matches!(config.source, Source::Query(_)) {
        need(Tool::Query, "reading the sessions");
    }
    if acting {
        match config.verb {
            Verb::Logoff => need(Tool::Logoff, "logging off"),
            Verb::Disconnect => need(Tool::TsDiscon, "--disconnect"),
        }
    }
    if config.warning.is_some() {
        need(Tool::Msg, "--warn");
    }
    if config.event_log {
        need(Tool::EventCreate, "--event-log");
    }
    if config.reset_stuck {
        need(Tool::Reset, "--reset-stuck");
    }
    if config.drain {
        need(Tool::Change, "--drain");
    }
    if let Err(why) = crate::act::drain::run::check_target(config, host) {
        lines.push(Finding::problem(Cause::Usage, why));
    }
    if !acting {
        lines.push(Finding::ok(format!(
            "note: a {} run logs off nobody, so logoff.exe is not needed",
            if config.mode == Mode::List {
                "--list"
            } else {
                "dry"
            }
        )));
    }
    lines
}

/// The exe's folder and the folders of `--log` and `--output`: writable by administrators only.
fn folders(config: &Config) -> Vec<Finding> {
    let mut list: Vec<(String, PathBuf)> = Vec::new();
    match std::env::current_exe() {
        Ok(exe) => {
            if let Some(dir) = exe.parent() {
                list.push(("the exe's folder".into(), dir.to_path_buf()));
            }
        }
        Err(e) => {
            return vec![Finding::problem(
                Cause::Usage,
                format!("the exe's own path is not known: {e}"),
            )]
        }
    }
    for (flag, path) in [("--log", &config.log), ("--output", &config.output)] {
        if let Some(path) = path {
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            list.push((
                format!("the {flag} folder"),
                std::path::absolute(&dir).unwrap_or(dir),
            ));
        }
    }
    list.iter().map(|(what, dir)| folder(what, dir)).collect()
}

fn folder(what: &str, dir: &Path) -> Finding {
    if !dir.is_dir() {
        return Finding::problem(
            Cause::Usage,
            format!(
                "{what} {} does not exist: create it (writable by administrators only)",
                dir.display()
            ),
        );
    }
    match acl::read(dir) {
        Ok(dacl) => {
            let writers = acl::writers(&dacl);
            if writers.is_empty() {
                Finding::ok(format!(
                    "{what} {}: only administrators and SYSTEM can write",
                    dir.display()
                ))
            } else {
                let names: Vec<String> = writers.iter().map(|s| acl::name(s)).collect();
                Finding::problem(
                    Cause::Usage,
                    format!(
                        "{what} {} can be written by {}: anyone of them could change what runs \
                         as Administrator or SYSTEM; fix it with: {}",
                        dir.display(),
                        names.join(", "),
                        acl::fix(dir, &dacl, &writers).join(" && ")
                    ),
                )
            }
        }
        Err(AclError::NotWindows) => Finding::ok(format!(
            "note: {what} {}: permissions not checked (not Windows)",
            dir.display()
        )),
        Err(AclError::Failed(why)) => Finding::problem(
            Cause::Usage,
            format!(
                "{what} {}: its permissions could not be read ({why}); check them with icacls",
                dir.display()
            ),
        ),
    }
}
