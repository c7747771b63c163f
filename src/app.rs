//! App: one run from config to exit code, in the order data flows: query → decode → parse →
//! plan → (confirm) → execute → report. Dry run is decided here, once.

use crate::config::{Config, Format, ServerName, Source};
use crate::decode::{self, CodePage, Decoded};
use crate::error::Error;
use crate::execute::{self, Logoff};
use crate::exit_code::{self, ExitCode};
use crate::parse::{self, ParseError};
use crate::plan::{self, Action, Options, Subject};
use crate::query;
use crate::report::{self, Done, ServerResult};
use crate::runner::Runner;
use crate::session::SessionId;
use crate::tools::{self, Tool};
use std::io::{BufRead, Read, Write};

/// What the run learns from the system it runs on.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// The OEM code page, the default for decoding.
    pub oem_code_page: u16,
    /// The caller's session as the system reports it (`None` off Windows).
    pub own_session: Option<SessionId>,
    /// This computer's name, to recognise `--server` naming it.
    pub computer_name: Option<String>,
    /// Whether standard input and output are both a terminal (then the plan is confirmed).
    pub interactive: bool,
}

/// The streams a run talks to.
pub struct Io<'a> {
    /// The report.
    pub out: &'a mut dyn Write,
    /// Errors, warnings, progress and the confirmation question.
    pub err: &'a mut dyn Write,
    /// Captured input for `--input -`, and the answer to the confirmation question.
    pub input: &'a mut dyn BufRead,
}

/// Runs the whole job and returns the exit code.
pub fn run(config: &Config, runner: &dyn Runner, env: &Environment, io: &mut Io<'_>) -> ExitCode {
    let (server, label) = match &config.source {
        Source::Query(server) | Source::Input { server, .. } => (
            server.clone(),
            server
                .as_ref()
                .map_or("localhost".to_string(), |s| s.to_string()),
        ),
    };
    let code_page = match config.code_page {
        Some(cp) => CodePage::Forced(cp),
        None => CodePage::Default(env.oem_code_page),
    };
    let result = survey(config, runner, env, io, code_page);
    let mut result = ServerResult {
        server: label,
        result,
    };
    if let Ok(done) = &mut result.result {
        if !config.dry_run && done.plan.logoff_order().is_empty() {
            // Nothing to do; say so rather than run anything.
        } else if !config.dry_run {
            match confirm(config, env, io, &result.server, done) {
                Ok(()) => execute_plan(config, runner, io, server.as_ref(), code_page, done),
                Err(e) => result.result = Err(e),
            }
        }
    }
    if let Err(e) = &result.result {
        let _ = writeln!(io.err, "logoff-all: error: {e}");
    }
    let code = exit_code::fold([report::exit_code(&result)]);
    let results = [result];
    let text = match config.format {
        Format::Table => report::table(&results, config.dry_run),
        Format::Json => report::json(&results, config.dry_run, code),
    };
    let _ = io.out.write_all(text.as_bytes());
    let _ = io.out.flush();
    code
}

/// Reads the table and makes the plan for one server.
fn survey(
    config: &Config,
    runner: &dyn Runner,
    env: &Environment,
    io: &mut Io<'_>,
    code_page: CodePage,
) -> Result<Done, Error> {
    let text = |bytes: &[u8]| lossy(bytes, code_page);
    let mut warnings = Vec::new();
    let (bytes, local) = match &config.source {
        Source::Input { path, .. } => {
            let mut bytes = Vec::new();
            let read = if path.as_os_str() == "-" {
                io.input.read_to_end(&mut bytes)
            } else {
                std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes))
            };
            read.map_err(|source| Error::Input {
                path: path.clone(),
                source,
            })?;
            // A captured table may come from any host: only its `>` marker tells the own session.
            (bytes, false)
        }
        Source::Query(server) => {
            let program = tools::locate(Tool::Query, config.tools_dir.as_deref())
                .map_err(query::QueryError::from)?;
            let captured = query::run(runner, &program, server.as_ref(), config.timeout, text)?;
            let stderr = query::one_line(&text(&captured.stderr));
            if !stderr.is_empty() {
                warnings.push(format!("query session also printed on stderr: {stderr}"));
            }
            let local = server
                .as_ref()
                .is_none_or(|s| s.is_local(env.computer_name.as_deref()));
            (captured.stdout, local)
        }
    };
    let decoded = decode::decode(&bytes, code_page)?;
    let table = match parse::parse(&decoded) {
        Ok(table) => table,
        Err(ParseError::NoHeader { .. }) if query::looks_like_error(&all_text(&decoded)) => {
            return Err(query::QueryError::ErrorText(query::one_line(&all_text(&decoded))).into())
        }
        Err(e) => return Err(e.into()),
    };
    if !table.counters.is_empty() {
        warnings.push(format!("{} /counter line(s) ignored", table.counters.len()));
    }
    let plan = plan::plan(
        &table,
        Options {
            include_console: config.include_console,
            include_self: config.include_self,
            own_session: if local { env.own_session } else { None },
        },
    );
    for entry in &plan.entries {
        if let Subject::Line(line) = &entry.subject {
            let _ = writeln!(
                io.err,
                "logoff-all: warning: line {} not understood ({}); nobody on it is logged off",
                line.line, line.why
            );
        }
    }
    Ok(Done {
        plan,
        outcomes: None,
        encoding: decoded.encoding.to_string(),
        warnings,
    })
}

fn all_text(decoded: &Decoded) -> String {
    decoded
        .lines
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Decodes a child's message for display, never failing.
fn lossy(bytes: &[u8], code_page: CodePage) -> String {
    match decode::decode(bytes, code_page) {
        Ok(d) => all_text(&d),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// On a terminal without `--yes`, shows the plan and asks before anyone is logged off.
fn confirm(
    config: &Config,
    env: &Environment,
    io: &mut Io<'_>,
    server: &str,
    done: &Done,
) -> Result<(), Error> {
    if config.yes || !env.interactive {
        return Ok(());
    }
    let preview = [ServerResult {
        server: server.to_string(),
        result: Ok(Done {
            plan: done.plan.clone(),
            outcomes: None,
            encoding: done.encoding.clone(),
            warnings: Vec::new(),
        }),
    }];
    let _ = io.out.write_all(report::table(&preview, false).as_bytes());
    let n = done.plan.logoff_order().len();
    let _ = write!(io.err, "Log off {n} session(s) on {server}? [y/N] ");
    let _ = io.err.flush();
    let mut answer = String::new();
    let _ = io.input.read_line(&mut answer);
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => Err(Error::Cancelled),
    }
}

fn execute_plan(
    config: &Config,
    runner: &dyn Runner,
    io: &mut Io<'_>,
    server: Option<&ServerName>,
    code_page: CodePage,
    done: &mut Done,
) {
    let text = move |bytes: &[u8]| lossy(bytes, code_page);
    let program = tools::locate(Tool::Logoff, config.tools_dir.as_deref());
    let program_ref = program.as_deref().map_err(|e| e.to_string());
    let order = done.plan.logoff_order();
    if let Some(&last) = order.last() {
        let entry = &done.plan.entries[last];
        if entry.current && entry.action == Action::Logoff {
            if let Some(s) = entry.session() {
                let _ = writeln!(
                    io.err,
                    "logoff-all: your own session {} is logged off last; that ends this session",
                    s.id
                );
            }
        }
    }
    let err = &mut *io.err;
    let outcomes = execute::execute(
        &done.plan,
        &Logoff {
            runner,
            program: program_ref,
            server,
            timeout: config.timeout,
            text: &text,
        },
        &mut |index, outcome| {
            if let Some(s) = done.plan.entries[index].session() {
                let _ = writeln!(
                    err,
                    "logoff-all: session {} ({}): {}",
                    s.id,
                    s.user.as_deref().unwrap_or("-"),
                    outcome.code()
                );
            }
        },
    );
    done.outcomes = Some(outcomes);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Format;
    use crate::runner::{Output, RunError};
    use std::path::Path;
    use std::sync::Mutex;
    use std::time::Duration;

    const TABLE: &str = " SESSIONNAME       USERNAME                 ID  STATE
 services                                    0  Disc
 rdp-tcp#1         alice                     1  Active
 rdp-tcp#2         bob                       2  Active
";

    /// Prints TABLE for `query`, succeeds for `logoff`, records every call.
    struct Fake(Mutex<Vec<Vec<String>>>);

    impl Runner for Fake {
        fn run(&self, _: &Path, args: &[String], _: Duration) -> Result<Output, RunError> {
            self.0.lock().unwrap().push(args.to_vec());
            let stdout = if args[0] == "session" {
                TABLE.as_bytes().to_vec()
            } else {
                Vec::new()
            };
            Ok(Output {
                code: Some(0),
                stdout,
                stderr: Vec::new(),
            })
        }
    }

    fn run_with(answer: &str, yes: bool, own: Option<u32>) -> (ExitCode, Vec<Vec<String>>, String) {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("logoff-all-app-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for tool in [Tool::Query, Tool::Logoff] {
            std::fs::write(dir.join(tool.file_name()), b"").unwrap();
        }
        let config = Config {
            source: Source::Query(None),
            code_page: None,
            include_console: false,
            include_self: false,
            dry_run: false,
            yes,
            timeout: Duration::from_secs(5),
            format: Format::Table,
            tools_dir: Some(dir.clone()),
        };
        let env = Environment {
            oem_code_page: 437,
            own_session: own.map(SessionId::new),
            computer_name: None,
            interactive: true,
        };
        let fake = Fake(Mutex::new(Vec::new()));
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut input = answer.as_bytes();
        let code = run(
            &config,
            &fake,
            &env,
            &mut Io {
                out: &mut out,
                err: &mut err,
                input: &mut input,
            },
        );
        let _ = std::fs::remove_dir_all(&dir);
        let calls = fake.0.into_inner().unwrap();
        (code, calls, String::from_utf8(err).unwrap())
    }

    #[test]
    fn on_a_terminal_a_declined_prompt_logs_off_nobody() {
        let (code, calls, err) = run_with("n\n", false, None);
        assert_eq!(code, ExitCode::Cancelled);
        assert_eq!(calls, [vec!["session".to_string()]]);
        assert!(
            err.contains("Log off 2 session(s) on localhost? [y/N]"),
            "{err}"
        );
    }

    #[test]
    fn on_a_terminal_yes_at_the_prompt_or_the_flag_proceeds() {
        for (answer, yes) in [("y\n", false), ("", true)] {
            let (code, calls, _) = run_with(answer, yes, None);
            assert_eq!(code, ExitCode::Success);
            assert_eq!(calls.len(), 3, "{calls:?}");
        }
    }

    #[test]
    fn the_system_s_own_session_is_skipped_without_a_marker() {
        let (code, calls, _) = run_with("", true, Some(2));
        assert_eq!(code, ExitCode::Success);
        assert_eq!(calls, [vec!["session".to_string()], vec!["1".to_string()]]);
    }
}
