//! App: one run from config to exit code, in the order data flows: query → decode → parse →
//! plan for every server; then, unless it is a dry run (decided here, once): confirm → warn →
//! wait → re-check → execute; then the report. Servers are independent and run `--jobs` at a
//! time; within a server, logoffs stay one at a time in plan order.

use crate::act::execute::{self, Logoff, Outcome};
use crate::act::warn::{self, Msg};
use crate::config::{Config, Format, ServerName, Source};
use crate::decode::{self, CodePage, Decoded};
use crate::error::Error;
use crate::exit_code::{self, ExitCode};
use crate::host::runner::{Runner, TOOL_OUTPUT_LIMIT};
use crate::host::tools::{self, Tool};
use crate::plan::{self, Action, Options, Plan, Recheck, Subject};
use crate::query;
use crate::report::audit::{self, AuditLog};
use crate::report::{self, Done, ServerResult};
use crate::table::idle::{self, IdleTable};
use crate::table::parse::{self, ParseError};
use crate::table::session::SessionId;
use std::io::{BufRead, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What the run learns from the system it runs on.
#[derive(Debug, Clone)]
pub struct Environment {
    /// The OEM code page, the default for decoding.
    pub oem_code_page: u16,
    /// The caller's session as the system reports it (`None` off Windows).
    pub own_session: Option<SessionId>,
    /// This computer's name, to recognise `--server` naming it.
    pub computer_name: Option<String>,
    /// Whether standard input and output are both a terminal (then the plan is confirmed).
    pub interactive: bool,
    /// Whether standard error is a terminal (then the grace period is a countdown).
    pub stderr_terminal: bool,
    /// Re-query before logging off when the table is older than this (after a long prompt).
    pub recheck_after: Duration,
}

impl Default for Environment {
    fn default() -> Self {
        Environment {
            oem_code_page: 437,
            own_session: None,
            computer_name: None,
            interactive: false,
            stderr_terminal: false,
            recheck_after: Duration::from_secs(10),
        }
    }
}

/// Set by Ctrl-C: no new logoff, message or wait starts; what finished is reported.
static STOP: AtomicBool = AtomicBool::new(false);

/// Asks the run to stop at the next safe point (called by the Ctrl-C handler). Returns whether
/// it had been asked before.
pub fn request_stop() -> bool {
    STOP.swap(true, Ordering::SeqCst)
}

fn stopping() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// The streams a run talks to.
pub struct Io<'a> {
    /// The report.
    pub out: &'a mut dyn Write,
    /// Errors, warnings, progress and the confirmation question (shared by server threads).
    pub err: &'a mut (dyn Write + Send),
    /// Captured input for `--input -`, and the answer to the confirmation question.
    pub input: &'a mut dyn BufRead,
}

/// What every step of one run shares.
struct Ctx<'a> {
    config: &'a Config,
    runner: &'a dyn Runner,
    env: &'a Environment,
    code_page: CodePage,
    err: Mutex<&'a mut (dyn Write + Send)>,
    audit: Option<AuditLog>,
}

impl Ctx<'_> {
    fn say(&self, line: &str) {
        let mut err = self.err.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(err, "logoff-all: {line}");
    }

    fn text(&self, bytes: &[u8]) -> String {
        lossy(bytes, self.code_page)
    }

    fn record(&self, fields: serde_json::Map<String, serde_json::Value>) {
        if let Some(problem) = self.audit.as_ref().and_then(|a| a.record(fields)) {
            self.say(&format!("warning: {problem}"));
        }
    }
}

/// Runs the whole job and returns the exit code.
pub fn run(config: &Config, runner: &dyn Runner, env: &Environment, io: &mut Io<'_>) -> ExitCode {
    let audit = match &config.log {
        None => None,
        Some(path) => match AuditLog::open(path) {
            Ok(log) => Some(log),
            Err(e) => {
                let _ = writeln!(
                    io.err,
                    "logoff-all: error: cannot open --log {}: {e}; nobody was logged off",
                    path.display()
                );
                return ExitCode::Usage;
            }
        },
    };
    let code_page = match config.code_page {
        Some(cp) => CodePage::Forced(cp),
        None => CodePage::Default(env.oem_code_page),
    };
    let input = &mut *io.input;
    let ctx = Ctx {
        config,
        runner,
        env,
        code_page,
        err: Mutex::new(&mut *io.err),
        audit,
    };

    let mut results: Vec<ServerResult> = config
        .targets()
        .iter()
        .map(|s| ServerResult::new(label(s.as_ref())))
        .collect();
    let mut stdin_capture = Some(input);
    if let Source::Input { .. } = config.source {
        let stdin = stdin_capture.take().expect("one input");
        survey(&ctx, &mut results[0], Some(stdin));
    } else {
        for_each(&mut results, config.jobs, |r| survey(&ctx, r, None));
    }
    for r in &results {
        if let Some(done) = &r.done {
            for entry in &done.plan.entries {
                ctx.record(audit::decision(&r.server, entry, config.dry_run));
            }
        }
        if let Some(e) = &r.error {
            ctx.record(audit::error(&r.server, e.kind(), &e.to_string()));
        }
    }

    if let (Some(log), Some(path)) = (&ctx.audit, &config.log) {
        if log.has_failed() && !config.dry_run {
            ctx.say(&format!(
                "error: the decisions could not be written to --log {}; nobody was logged off",
                path.display()
            ));
            return ExitCode::Usage;
        }
    }

    let planned: usize = results
        .iter()
        .filter_map(|r| r.done.as_ref())
        .map(|d| d.plan.logoff_order().len())
        .sum();
    if !config.dry_run && planned > 0 {
        let input = stdin_capture.expect("not consumed without --input");
        if !confirm(&ctx, io.out, input, &results, planned) {
            ctx.say("cancelled; nobody was logged off");
            return ExitCode::Cancelled;
        }
        act(&ctx, &mut results);
    }

    let mut code = exit_code::fold(results.iter().map(report::exit_code));
    if stopping() {
        ctx.say("stopped by Ctrl-C; the report shows what finished, the rest was not run");
        code = exit_code::fold([code, ExitCode::Interrupted]);
    }
    for r in &results {
        if let Some(e) = &r.error {
            ctx.say(&format!("error: {}: {e}", r.server));
        }
    }
    let mut out = std::io::BufWriter::new(&mut *io.out);
    let written = match config.format {
        Format::Table => report::table(&mut out, &results, config.dry_run),
        Format::Json => report::json(&mut out, &results, config.dry_run, code),
        Format::Csv => report::csv(&mut out, &results, config.dry_run),
    };
    if let Err(e) = written.and_then(|()| out.flush()) {
        ctx.say(&format!("warning: the report could not be written: {e}"));
    }
    code
}

/// The name a server is reported under.
fn label(server: Option<&ServerName>) -> String {
    server.map_or("localhost".to_string(), ServerName::to_string)
}

/// The server behind a result (`None` for this computer).
fn server_of(ctx: &Ctx<'_>, result: &ServerResult) -> Option<ServerName> {
    ctx.config
        .targets()
        .into_iter()
        .flatten()
        .find(|s| s.as_str() == result.server)
}

/// Runs `f` on every item, `jobs` at a time.
fn for_each<T: Send>(items: &mut [T], jobs: usize, f: impl Fn(&mut T) + Sync) {
    if jobs <= 1 || items.len() <= 1 {
        items.iter_mut().for_each(f);
        return;
    }
    let queue = Mutex::new(items.iter_mut());
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(queue.lock().expect("queue").len()) {
            scope.spawn(|| loop {
                let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                match next {
                    Some(item) => f(item),
                    None => break,
                }
            });
        }
    });
}

/// Reads the table (and, for `--idle-over`, `query user`) of one server and plans it.
fn survey(ctx: &Ctx<'_>, result: &mut ServerResult, stdin: Option<&mut dyn BufRead>) {
    let server = server_of(ctx, result);
    match read_plan(ctx, server.as_ref(), stdin, &mut result.warnings) {
        Ok((plan, encoding, read_at)) => {
            let lines: Vec<_> = plan
                .entries
                .iter()
                .filter_map(|e| match &e.subject {
                    Subject::Line(line) => Some(line),
                    Subject::Session(_) => None,
                })
                .collect();
            for warning in crate::table::summary::not_understood(&result.server, &lines) {
                ctx.say(&warning);
            }
            result.done = Some(Done {
                plan,
                outcomes: None,
                warned: None,
                encoding,
                read_at,
            });
        }
        Err(e) => result.error = Some(e),
    }
}

/// Query (or read), decode, parse and plan; returns the plan, the encoding and when the table
/// was read.
fn read_plan(
    ctx: &Ctx<'_>,
    server: Option<&ServerName>,
    stdin: Option<&mut dyn BufRead>,
    warnings: &mut Vec<String>,
) -> Result<(Plan, String, Instant), Error> {
    let config = ctx.config;
    let text = |b: &[u8]| ctx.text(b);
    let (bytes, local) = match &config.source {
        Source::Input { path, .. } => {
            let mut bytes = Vec::new();
            let read = match stdin {
                Some(stdin) if path.as_os_str() == "-" => stdin.read_to_end(&mut bytes),
                _ => std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes)),
            };
            read.map_err(|source| Error::Input {
                path: path.clone(),
                source,
            })?;
            // A captured table may come from any host: only its `>` marker tells the own session.
            (bytes, false)
        }
        Source::Query(_) => {
            let program = tools::locate(Tool::Query, config.tools_dir.as_deref())
                .map_err(query::QueryError::from)?;
            let args = query::session_args(server);
            let captured = query::run(
                ctx.runner,
                &program,
                &args,
                "query session",
                config.timeout,
                &text,
            )?;
            let stderr = query::one_line(&text(&captured.stderr));
            if !stderr.is_empty() {
                warnings.push(format!("query session also printed on stderr: {stderr}"));
            }
            let local = server.is_none_or(|s| s.is_local(ctx.env.computer_name.as_deref()));
            (captured.stdout, local)
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
    let idle = match (config.filters.idle_over, &config.source) {
        (Some(_), Source::Query(_)) => Some(read_idle(ctx, server)?),
        _ => None,
    };
    let plan = plan::plan(
        table,
        Options {
            include_console: config.include_console,
            include_self: config.include_self,
            own_session: if local { ctx.env.own_session } else { None },
            filters: Some(&config.filters),
            idle: idle.as_ref(),
        },
    );
    Ok((plan, decoded.encoding.to_string(), read_at))
}

/// Runs `query user` for the idle times.
fn read_idle(ctx: &Ctx<'_>, server: Option<&ServerName>) -> Result<IdleTable, Error> {
    let text = |b: &[u8]| ctx.text(b);
    let program = tools::locate(Tool::Query, ctx.config.tools_dir.as_deref())
        .map_err(query::QueryError::from)?;
    match query::users(ctx.runner, &program, server, ctx.config.timeout, &text)? {
        None => Ok(IdleTable::default()),
        Some(captured) => Ok(idle::parse(&decode::decode(
            &captured.stdout,
            ctx.code_page,
        )?)?),
    }
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
    ctx: &Ctx<'_>,
    out: &mut dyn Write,
    input: &mut dyn BufRead,
    results: &[ServerResult],
    planned: usize,
) -> bool {
    if ctx.config.yes || !ctx.env.interactive {
        return true;
    }
    let _ = report::table(out, results, false);
    let _ = out.flush();
    {
        let mut err = ctx.err.lock().unwrap_or_else(|e| e.into_inner());
        let servers = results.iter().filter(|r| r.done.is_some()).count();
        let on = if servers == 1 {
            results
                .iter()
                .find(|r| r.done.is_some())
                .map_or(String::new(), |r| r.server.clone())
        } else {
            format!("{servers} servers")
        };
        let _ = write!(err, "Log off {planned} session(s) on {on}? [y/N] ");
        let _ = err.flush();
    }
    let mut answer = String::new();
    let _ = input.read_line(&mut answer);
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// Warn, wait, re-check and log off on every server that has something planned.
fn act(ctx: &Ctx<'_>, results: &mut [ServerResult]) {
    let config = ctx.config;
    if let Some(warning) = &config.warning {
        for_each(results, config.jobs, |r| send_warning(ctx, r));
        let mut err = ctx.err.lock().unwrap_or_else(|e| e.into_inner());
        warn::wait(
            warning.grace,
            ctx.env.stderr_terminal,
            &mut **err,
            &stopping,
        );
    }
    for_each(results, config.jobs, |r| {
        recheck_and_execute(ctx, r);
        if config.event_log {
            event_log(ctx, r);
        }
    });
}

fn send_warning(ctx: &Ctx<'_>, result: &mut ServerResult) {
    let server = server_of(ctx, result);
    let Some(done) = result.done.as_mut() else {
        return;
    };
    let warning = ctx.config.warning.as_ref().expect("called with --warn");
    let program = tools::locate(Tool::Msg, ctx.config.tools_dir.as_deref());
    let text = |b: &[u8]| ctx.text(b);
    let warned = warn::send(
        &done.plan,
        &Msg {
            runner: ctx.runner,
            program: program.as_deref().map_err(|e| e.to_string()),
            server: server.as_ref(),
            message: &warning.message,
            seconds: warning.grace.as_secs().max(1),
            timeout: ctx.config.timeout,
            text: &text,
            stop: &stopping,
        },
    );
    for (entry, w) in done.plan.entries.iter().zip(&warned) {
        if let Some(w) = w {
            ctx.record(audit::warned(&result.server, entry, w));
            if let Some(m) = w.message() {
                ctx.say(&format!(
                    "warning: {}: message not delivered: {m}",
                    result.server
                ));
            }
        }
    }
    done.warned = Some(warned);
}

/// Re-checks when the table is stale (after --warn, or a long prompt), then logs off.
fn recheck_and_execute(ctx: &Ctx<'_>, result: &mut ServerResult) {
    let server = server_of(ctx, result);
    let Some(done) = result.done.as_mut() else {
        return;
    };
    if done.plan.logoff_order().is_empty() {
        return;
    }
    let mut outcomes = vec![None; done.plan.entries.len()];
    if stopping() {
        for i in done.plan.logoff_order() {
            outcomes[i] = Some(Outcome::NotRun);
        }
        done.outcomes = Some(outcomes);
        return;
    }
    let stale = ctx.config.warning.is_some() || done.read_at.elapsed() > ctx.env.recheck_after;
    if stale {
        match read_plan(ctx, server.as_ref(), None, &mut result.warnings) {
            Err(e) => {
                for i in done.plan.logoff_order() {
                    outcomes[i] = Some(Outcome::NotRun);
                }
                result.error = Some(Error::Recheck(Box::new(e)));
                done.outcomes = Some(outcomes);
                return;
            }
            Ok((fresh, _, _)) => {
                let answers = plan::recheck(&done.plan, &fresh);
                for (i, answer) in answers.into_iter().enumerate() {
                    match answer {
                        Some(Recheck::Gone) => {
                            outcomes[i] = Some(Outcome::AlreadyGone(
                                "no longer listed at the re-check before logoff".to_string(),
                            ))
                        }
                        Some(Recheck::Skip(reason)) => {
                            let entry = &mut done.plan.entries[i];
                            entry.action = Action::Skip;
                            entry.reason = reason;
                            ctx.record(audit::decision(&result.server, entry, false));
                        }
                        Some(Recheck::Still) | None => {}
                    }
                }
            }
        }
    }
    let order = done.plan.logoff_order();
    if let Some(&last) = order.last() {
        let entry = &done.plan.entries[last];
        if entry.current {
            if let Some(s) = entry.session() {
                ctx.say(&format!(
                    "{}: your own session {} is logged off last; that ends this session",
                    result.server, s.id
                ));
            }
        }
    }
    let program = tools::locate(Tool::Logoff, ctx.config.tools_dir.as_deref());
    let text = |b: &[u8]| ctx.text(b);
    let plan = &done.plan;
    let label = result.server.clone();
    for (i, outcome) in outcomes.iter().enumerate() {
        if let Some(o) = outcome {
            ctx.record(audit::outcome(&label, &plan.entries[i], o));
        }
    }
    execute::execute(
        plan,
        &mut outcomes,
        &Logoff {
            runner: ctx.runner,
            program: program.as_deref().map_err(|e| e.to_string()),
            server: server.as_ref(),
            timeout: ctx.config.timeout,
            text: &text,
            stop: &stopping,
        },
        &mut |index, outcome| {
            let entry = &plan.entries[index];
            ctx.record(audit::outcome(&label, entry, outcome));
            if let Some(s) = entry.session() {
                ctx.say(&format!(
                    "{label}: session {} ({}): {}",
                    s.id,
                    s.user.as_deref().unwrap_or("-"),
                    outcome.code()
                ));
            }
        },
    );
    done.outcomes = Some(outcomes);
}

/// Writes the server's summary event with the stock eventcreate; a failure is a warning.
fn event_log(ctx: &Ctx<'_>, result: &mut ServerResult) {
    let ok = report::exit_code(result) == ExitCode::Success;
    let summary = report::summary_line(result, false);
    let program = match tools::locate(Tool::EventCreate, ctx.config.tools_dir.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            result.warnings.push(format!("event log not written: {e}"));
            return;
        }
    };
    let args = audit::event_args(ok, &summary);
    match ctx
        .runner
        .run(&program, &args, ctx.config.timeout, TOOL_OUTPUT_LIMIT)
    {
        Ok(o) if o.success() => {}
        Ok(o) => result.warnings.push(format!(
            "event log not written: eventcreate exit code {}: {}",
            o.code.unwrap_or(-1),
            query::one_line(&[ctx.text(&o.stderr), ctx.text(&o.stdout)].join(" "))
        )),
        Err(e) => result.warnings.push(format!("event log not written: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::runner::{Output, RunError};
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
        fn run(
            &self,
            _: &Path,
            args: &[String],
            _: Duration,
            _: usize,
        ) -> Result<Output, RunError> {
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

    /// Runs the app on the fake with `args` (after the tools folder), `env` and `answer` on
    /// standard input; returns the exit code, the calls and what went to standard error.
    fn run_app(
        args: &[&str],
        env: &Environment,
        answer: &str,
    ) -> (ExitCode, Vec<Vec<String>>, String) {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("logoff-all-app-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for tool in [Tool::Query, Tool::Logoff] {
            std::fs::write(dir.join(tool.file_name()), b"").unwrap();
        }
        let mut all = vec!["logoff-all".to_string(), "--tools-dir".into()];
        all.push(dir.display().to_string());
        all.extend(args.iter().map(|a| a.to_string()));
        let config = crate::cli::parse(all.into_iter().map(std::ffi::OsString::from))
            .unwrap()
            .unwrap();
        let fake = Fake(Mutex::new(Vec::new()));
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut input = answer.as_bytes();
        let code = run(
            &config,
            &fake,
            env,
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

    fn run_with(answer: &str, yes: bool, own: Option<u32>) -> (ExitCode, Vec<Vec<String>>, String) {
        let env = Environment {
            own_session: own.map(SessionId::new),
            interactive: true,
            recheck_after: Duration::from_secs(3600),
            ..Environment::default()
        };
        run_app(if yes { &["--yes"] } else { &[] }, &env, answer)
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

    #[test]
    fn a_stale_table_is_read_again_before_logging_off() {
        let env = Environment {
            recheck_after: Duration::ZERO,
            ..Environment::default()
        };
        let (code, calls, _) = run_app(&[], &env, "");
        assert_eq!(code, ExitCode::Success);
        let first: Vec<&str> = calls.iter().map(|c| c[0].as_str()).collect();
        assert_eq!(first, ["session", "session", "1", "2"]);
    }
}
