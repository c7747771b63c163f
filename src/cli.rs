//! Command line: the flags (with the Windows habits `/?` and `/server:NAME`), turned once into a
//! plain [`Config`].

use crate::config::{Config, Format, ServerName, Source, Warning};
use crate::decode;
use crate::host::tools::TOOLS_DIR_ENV;
use crate::plan::filter::{self, Filters, Pattern};
use clap::{Parser, ValueEnum};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Log every user off a Remote Desktop Session Host, safely.
///
/// Runs the stock `query session`, decides for every session whether to log it off or skip it
/// (always with a reason), runs the stock `logoff <id>` for each selected session and reports
/// every outcome. Never logged off by default: the console, session 0 / services, listeners,
/// sessions with no user, and your own session.
#[derive(Debug, Parser)]
#[command(name = "logoff-all", version, max_term_width = 100)]
pub struct Cli {
    /// Work on this server instead of this computer; repeat or separate with commas for several
    /// (also /server:NAME).
    #[arg(short = 's', long, value_name = "NAME", value_delimiter = ',')]
    pub server: Vec<String>,

    /// Read server names from a file: one per line, # comments, blank lines ignored.
    #[arg(long, value_name = "FILE")]
    pub servers_file: Option<PathBuf>,

    /// Read a captured `query session` output from a file (- for stdin) instead of running
    /// query; always a dry run.
    #[arg(short = 'i', long, value_name = "PATH")]
    pub input: Option<PathBuf>,

    /// Decode the output with this code page (e.g. 437, 850, 866, 932) instead of the system's
    /// OEM code page.
    #[arg(long, value_name = "N")]
    pub codepage: Option<u16>,

    /// Log off the console session too.
    #[arg(long)]
    pub include_console: bool,

    /// Log off your own session too; it always goes last.
    #[arg(long)]
    pub include_self: bool,

    /// Only sessions in these states (active, disc, conn, ... or the localized words).
    #[arg(long, value_name = "STATE", value_delimiter = ',')]
    pub state: Vec<String>,

    /// Only users matching this pattern (* and ? wildcards, case-insensitive; repeatable). It
    /// must match the whole name as query prints it, cut to 20 characters: for a longer name
    /// give its first 20 characters or end the pattern with *.
    #[arg(long, value_name = "PATTERN")]
    pub user: Vec<String>,

    /// Never users matching this pattern (repeatable; wins over --user). A longer pattern also
    /// excludes a printed 20-character name that is its start (query cuts names to 20).
    #[arg(long, value_name = "PATTERN")]
    pub exclude_user: Vec<String>,

    /// Never users matching a pattern in this file: one per line, a line starting with # is a
    /// comment; UTF-8 (with or without BOM) or UTF-16 with BOM.
    #[arg(long, value_name = "FILE")]
    pub exclude_file: Option<PathBuf>,

    /// Only sessions idle longer than this, per `query user` (e.g. 90m, 2h, 1d12h).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub idle_over: Option<Duration>,

    /// Send this message (stock `msg`) to the sessions first, wait --grace, re-check, then log off.
    #[arg(long, value_name = "MESSAGE")]
    pub warn: Option<String>,

    /// Wait between --warn and the logoff (default 5m).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, requires = "warn")]
    pub grace: Option<Duration>,

    /// Print the plan and log off nobody.
    #[arg(short = 'n', long)]
    pub dry_run: bool,

    /// Do not ask for confirmation on a terminal.
    #[arg(short = 'y', long)]
    pub yes: bool,

    /// Time query and each logoff may take before they are stopped (e.g. 60, 90s, 2m).
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_timeout)]
    pub timeout: Duration,

    /// Servers processed at once (within a server, logoffs stay one at a time).
    #[arg(short = 'j', long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: u16,

    /// Report format.
    #[arg(long, value_enum, default_value_t = FormatArg::Table, value_name = "FORMAT")]
    pub format: FormatArg,

    /// Append one JSON line per decision and outcome to this file (never truncated); if it
    /// cannot be opened, nobody is logged off.
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,

    /// Write one summary event per server to the Application event log (stock eventcreate).
    #[arg(long)]
    pub event_log: bool,

    /// Take query, logoff, msg and eventcreate from this folder instead of the system folder
    /// (also the LOGOFF_ALL_TOOLS_DIR environment variable); for tests and unusual setups.
    #[arg(long, value_name = "DIR")]
    pub tools_dir: Option<PathBuf>,

    /// After the logoffs, read the table again until every logged-off session is gone, at most
    /// this long (0 = do not check; then the report says "not verified").
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub verify_wait: Duration,

    /// End a session that is still listed after --verify-wait with `reset session <id>`.
    #[arg(long)]
    pub reset_stuck: bool,
}

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Aligned columns and a summary.
    Table,
    /// One JSON object.
    Json,
    /// Comma-separated values, the table's columns.
    Csv,
}

/// Parses a duration: a number with an optional unit `s`, `m`, `h` or `d`, or several of them
/// run together (`1d12h`, `1h30m`). A bare number is seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || {
        format!("invalid duration {text:?}: use a number of seconds or units like 90s, 30m, 2h, 1d, 1d12h")
    };
    let t = text.trim();
    if t.is_empty() {
        return Err(bad());
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse::<u64>().map(Duration::from_secs).map_err(|_| bad());
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c.to_ascii_lowercase() {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            _ => return Err(bad()),
        };
        let n: u64 = number.parse().map_err(|_| bad())?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
        number.clear();
    }
    if !number.is_empty() {
        return Err(bad());
    }
    Ok(Duration::from_secs(total))
}

fn parse_timeout(text: &str) -> Result<Duration, String> {
    let d = parse_duration(text)?;
    if d.is_zero() || d > Duration::from_secs(86400) {
        return Err(format!(
            "timeout {text:?} must be between 1 second and 1 day"
        ));
    }
    Ok(d)
}

/// Rewrites the Windows habits into clap's syntax: `/?` → `--help`, `/server:NAME` (any case)
/// → `--server NAME`.
pub fn normalize(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut out = Vec::new();
    for arg in args {
        match arg.to_str() {
            Some("/?") | Some("-?") => out.push("--help".into()),
            Some(s) if s.len() > 8 && s[..8].eq_ignore_ascii_case("/server:") => {
                out.push("--server".into());
                out.push(s[8..].into());
            }
            _ => out.push(arg),
        }
    }
    out
}

/// A command line that cannot be run; `message` says what to change.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Reads a list file: one entry per line, `#` comments and blank lines ignored; returns each
/// entry with its line number.
fn read_list(flag: &str, path: &Path) -> Result<Vec<(usize, String)>, UsageError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| UsageError(format!("cannot read {flag} {}: {e}", path.display())))?;
    Ok(text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.split('#').next().unwrap_or("").trim().to_string()))
        .filter(|(_, l)| !l.is_empty())
        .collect())
}

/// The longest `--warn` message `msg` is asked to show.
const MAX_WARNING: usize = 255;

fn check_warning(text: &str) -> Result<String, UsageError> {
    let t = text.trim();
    let bad = |why: &str| Err(UsageError(format!("--warn message {text:?} {why}")));
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

impl Cli {
    /// Checks the flags together and makes the run's config. `tools_dir_env` is the value of
    /// LOGOFF_ALL_TOOLS_DIR.
    pub fn into_config(self, tools_dir_env: Option<OsString>) -> Result<Config, UsageError> {
        let mut servers: Vec<ServerName> = Vec::new();
        let mut add = |name: &str, at: String| -> Result<(), UsageError> {
            let server =
                ServerName::parse(name.trim()).map_err(|e| UsageError(format!("{at}{e}")))?;
            if !servers
                .iter()
                .any(|s| s.as_str().eq_ignore_ascii_case(server.as_str()))
            {
                servers.push(server);
            }
            Ok(())
        };
        for name in &self.server {
            add(name, String::new())?;
        }
        if let Some(path) = &self.servers_file {
            for (line, name) in read_list("--servers-file", path)? {
                add(&name, format!("{}:{line}: ", path.display()))?;
            }
            if servers.is_empty() {
                return Err(UsageError(format!(
                    "--servers-file {} names no server",
                    path.display()
                )));
            }
        }
        if let Some(cp) = self.codepage {
            if !decode::is_supported(cp) {
                return Err(UsageError(format!(
                    "--codepage {cp} is not supported; use one of: {}",
                    decode::supported_list()
                )));
            }
        }
        let source = match self.input {
            Some(path) if servers.len() > 1 => {
                return Err(UsageError(format!(
                    "--input {} is one capture; give at most one --server with it",
                    path.display()
                )))
            }
            Some(path) => Source::Input {
                path,
                server: servers.pop(),
            },
            None => Source::Query(servers),
        };
        let mut filters = Filters {
            idle_over: self.idle_over,
            ..Filters::default()
        };
        for word in &self.state {
            filters
                .states
                .push(filter::parse_state(word).map_err(UsageError)?);
        }
        for p in &self.user {
            filters.users.push(Pattern::new(p).map_err(UsageError)?);
        }
        for p in &self.exclude_user {
            filters
                .exclude_users
                .push(Pattern::new(p).map_err(UsageError)?);
        }
        if let Some(path) = &self.exclude_file {
            let patterns =
                filter::list::read(path).map_err(|e| UsageError(format!("--exclude-file: {e}")))?;
            filters.exclude_users.extend(patterns);
        }
        let warning = match &self.warn {
            Some(text) => Some(Warning {
                message: check_warning(text)?,
                grace: self.grace.unwrap_or(DEFAULT_GRACE),
            }),
            None => None,
        };
        let dry_run = self.dry_run || matches!(source, Source::Input { .. });
        let tools_dir = self
            .tools_dir
            .or_else(|| tools_dir_env.filter(|v| !v.is_empty()).map(PathBuf::from));
        Ok(Config {
            source,
            code_page: self.codepage,
            include_console: self.include_console,
            include_self: self.include_self,
            filters,
            warning,
            dry_run,
            yes: self.yes,
            timeout: self.timeout,
            jobs: usize::from(self.jobs),
            format: match self.format {
                FormatArg::Table => Format::Table,
                FormatArg::Json => Format::Json,
                FormatArg::Csv => Format::Csv,
            },
            log: self.log,
            event_log: self.event_log,
            tools_dir,
            verify_wait: self.verify_wait,
            reset_stuck: self.reset_stuck,
        })
    }
}

/// The wait after `--warn` when `--grace` is not given.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(300);

/// Parses the command line (program name first) into a config, or a clap error (help and
/// version included) to print.
pub fn parse(
    args: impl IntoIterator<Item = OsString>,
) -> Result<Result<Config, UsageError>, clap::Error> {
    let cli = Cli::try_parse_from(normalize(args))?;
    Ok(cli.into_config(std::env::var_os(TOOLS_DIR_ENV)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn config(args: &[&str]) -> Result<Config, String> {
        let args = std::iter::once("logoff-all")
            .chain(args.iter().copied())
            .map(OsString::from);
        match Cli::try_parse_from(normalize(args)) {
            Ok(cli) => cli.into_config(None).map_err(|e| e.0),
            Err(e) => Err(e.to_string()),
        }
    }

    #[test]
    fn clap_definition_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn windows_style_server_and_help_are_accepted() {
        let c = config(&["/SERVER:ts01"]).unwrap();
        assert_eq!(
            c.source,
            Source::Query(vec![ServerName::parse("ts01").unwrap()])
        );
        assert!(config(&["/?"]).unwrap_err().contains("Usage"));
    }

    #[test]
    fn input_implies_dry_run() {
        assert!(config(&["--input", "x.txt"]).unwrap().dry_run);
        assert!(!config(&[]).unwrap().dry_run);
    }

    #[test]
    fn bad_values_are_usage_errors_naming_the_value() {
        assert!(config(&["--server", "a&b"]).unwrap_err().contains("a&b"));
        assert!(config(&["--codepage", "936"]).unwrap_err().contains("936"));
        assert!(config(&["--timeout", "0"]).unwrap_err().contains("0"));
        assert!(config(&["--timeout", "5x"]).unwrap_err().contains("5x"));
    }

    #[test]
    fn durations_parse_in_every_documented_form() {
        let s = |t| parse_duration(t).unwrap().as_secs();
        assert_eq!(s("90"), 90);
        assert_eq!(s("90s"), 90);
        assert_eq!(s("90m"), 5400);
        assert_eq!(s("2h"), 7200);
        assert_eq!(s("1d"), 86400);
        assert_eq!(s("1d12h"), 129600);
        assert_eq!(s("1h30m"), 5400);
        for bad in ["", "m", "1.5h", "-1", "1w", "2h3"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn servers_repeat_split_on_commas_and_dedupe() {
        let c = config(&["-s", "TS01,ts02", "/server:TS01", "--server", "ts03"]).unwrap();
        let names: Vec<Option<String>> = c
            .targets()
            .into_iter()
            .map(|s| s.map(|s| s.to_string()))
            .collect();
        assert_eq!(
            names,
            [
                Some("TS01".into()),
                Some("ts02".into()),
                Some("ts03".into())
            ]
        );
        assert_eq!(config(&[]).unwrap().targets(), [None]);
    }

    #[test]
    fn warn_gets_a_default_grace_and_bad_messages_are_refused() {
        let c = config(&["--warn", "Logging off in 5 minutes"]).unwrap();
        assert_eq!(c.warning.unwrap().grace, DEFAULT_GRACE);
        assert!(config(&["--grace", "1m"]).is_err(), "--grace needs --warn");
        assert!(config(&["--warn", "/time:0"])
            .unwrap_err()
            .contains("option"));
        assert!(config(&["--warn", "a\nb"])
            .unwrap_err()
            .contains("line break"));
        assert!(config(&["--warn", &"x".repeat(300)])
            .unwrap_err()
            .contains("255"));
    }

    #[test]
    fn filters_are_checked_at_parse_time() {
        assert!(config(&["--state", "disc,active"]).is_ok());
        assert!(config(&["--state", "sleepy"])
            .unwrap_err()
            .contains("sleepy"));
        assert!(config(&["--user", "CONTOSO\\"]).is_err());
        assert!(config(&["--idle-over", "2h"]).is_ok());
        assert!(config(&["--jobs", "0"]).is_err());
        assert!(config(&["--input", "x", "-s", "a,b"]).is_err());
    }
}
