//! Command line: the flags (with the Windows habits `/?` and `/server:NAME`), turned once into a
//! plain [`Config`].

use crate::config::{Config, Format, ServerName, Source};
use crate::decode;
use crate::tools::TOOLS_DIR_ENV;
use clap::{Parser, ValueEnum};
use std::ffi::OsString;
use std::path::PathBuf;
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
    /// Query and log off on this server instead of this computer (also /server:NAME).
    #[arg(short = 's', long, value_name = "NAME")]
    pub server: Option<String>,

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

    /// Print the plan and log off nobody.
    #[arg(short = 'n', long)]
    pub dry_run: bool,

    /// Do not ask for confirmation on a terminal.
    #[arg(short = 'y', long)]
    pub yes: bool,

    /// Time query and each logoff may take before they are stopped (e.g. 60, 90s, 2m).
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_timeout)]
    pub timeout: Duration,

    /// Report format.
    #[arg(long, value_enum, default_value_t = FormatArg::Table, value_name = "FORMAT")]
    pub format: FormatArg,

    /// Take query and logoff from this folder instead of the system folder (also the
    /// LOGOFF_ALL_TOOLS_DIR environment variable); for tests and unusual setups.
    #[arg(long, value_name = "DIR")]
    pub tools_dir: Option<PathBuf>,
}

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Aligned columns and a summary.
    Table,
    /// One JSON object.
    Json,
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

impl Cli {
    /// Checks the flags together and makes the run's config. `tools_dir_env` is the value of
    /// LOGOFF_ALL_TOOLS_DIR.
    pub fn into_config(self, tools_dir_env: Option<OsString>) -> Result<Config, UsageError> {
        let server = self
            .server
            .as_deref()
            .map(ServerName::parse)
            .transpose()
            .map_err(UsageError)?;
        if let Some(cp) = self.codepage {
            if !decode::is_supported(cp) {
                return Err(UsageError(format!(
                    "--codepage {cp} is not supported; use one of: {}",
                    decode::supported_list()
                )));
            }
        }
        let source = match self.input {
            Some(path) => Source::Input { path, server },
            None => Source::Query(server),
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
            dry_run,
            yes: self.yes,
            timeout: self.timeout,
            format: match self.format {
                FormatArg::Table => Format::Table,
                FormatArg::Json => Format::Json,
            },
            tools_dir,
        })
    }
}

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
            Source::Query(Some(ServerName::parse("ts01").unwrap()))
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
}
