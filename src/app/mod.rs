//! App: one run from config to exit code, stage by stage: survey every server (query → decode →
//! table → plan), then, unless it is a dry run (decided here, once), act (confirm → warn → wait →
//! re-check → log off), then report. Before anything is queried, a target list naming one
//! computer twice is refused. Servers are independent and run `--jobs` at a time; within
//! a server, logoffs stay one at a time in plan order.

mod act;
mod last;
pub mod console;
mod drain;
mod list;
mod logoffs;
mod survey;
mod targets;
#[cfg(test)]
mod tests;
mod warning;

use crate::config::{Config, Mode, Source};
use crate::decode::{self, CodePage, Decoded};
use crate::error::Error;
use crate::exit_code::{self, Cause, ExitCode};
use crate::host::Host;
use crate::report::audit::{self, AuditLog};
use crate::report::summary::{progress_line, total_line};
use crate::report::{self, record::ErrorRecord, RunInfo, ServerResult};
use crate::vocab::ServerName;
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// What the run learns from the terminal it runs on, and the Ctrl-C flag.
#[derive(Debug, Clone)]
pub struct Environment {
    /// Whether standard input is a terminal: a person can answer, so the plan is confirmed
    /// (whatever standard output is: the plan and question go to the console).
    pub interactive: bool,
    /// Whether standard error is a terminal (then the grace period is a countdown).
    pub stderr_terminal: bool,
    /// Read the table again before each logoff when it is older than this (a long prompt, slow
    /// logoffs).
    pub recheck_after: Duration,
    /// Set by Ctrl-C: no new logoff, message or wait starts; what finished is reported.
    pub stop: Arc<AtomicBool>,
}

impl Default for Environment {
    fn default() -> Self {
        Environment {
            interactive: false,
            stderr_terminal: false,
            recheck_after: Duration::from_secs(10),
            stop: Arc::new(AtomicBool::new(false)),
        }
    }
}

/// The streams a run talks to.
pub struct Io<'a> {
    /// The report.
    pub out: &'a mut dyn Write,
    /// Errors, warnings, progress and the confirmation question (shared by server threads).
    pub err: &'a mut (dyn Write + Send),
    /// Captured input for `--input -`, and the answer to the confirmation question.
    pub input: &'a mut dyn BufRead,
    /// Where the plan and the confirmation question go: the console (`CONOUT$`) on Windows;
    /// `None`: `err`.
    pub console: Option<&'a mut dyn Write>,
}

/// What every stage of one run shares.
struct Ctx<'a> {
    config: &'a Config,
    host: &'a dyn Host,
    env: &'a Environment,
    code_page: CodePage,
    err: Mutex<&'a mut (dyn Write + Send)>,
    audit: Option<AuditLog>,
    /// Servers finished so far, for the progress lines.
    finished: AtomicUsize,
    /// Servers in the run.
    servers: usize,
}

impl Ctx<'_> {
    fn say(&self, line: &str) {
        // One write per line: a line is never split by another thread's, and costs one call.
        let text = format!("logoff-all: {line}\n");
        let mut err = self.err.lock().unwrap_or_else(|e| e.into_inner());
        let _ = err.write_all(text.as_bytes());
    }

    fn text(&self, bytes: &[u8]) -> String {
        lossy(bytes, self.code_page)
    }

    /// Appends a line to the audit log; the line is only built when there is a log.
    fn record(&self, line: impl FnOnce() -> audit::Line) {
        if let Some(problem) = self.audit.as_ref().and_then(|a| a.record(&line())) {
            self.say(&format!("warning: {problem}"));
        }
    }

    /// Whether Ctrl-C asked the run to stop.
    fn stopping(&self) -> bool {
        self.env.stop.load(Ordering::SeqCst)
    }

    /// Says at once that a server failed (the one time its error is printed).
    fn server_failed(&self, result: &ServerResult) {
        if let Some(e) = &result.error {
            self.say(&format!("error: {}: {e}", result.server));
        }
    }

    /// A server is finished: with several servers, its progress line on stderr.
    fn finished(&self, result: &ServerResult) {
        let n = self.finished.fetch_add(1, Ordering::SeqCst) + 1;
        if self.servers > 1 {
            let line = progress_line(result, n, self.servers, self.config.mode);
            let mut err = self.err.lock().unwrap_or_else(|e| e.into_inner());
            let _ = writeln!(err, "{line}");
        }
    }
}

/// Runs the whole job and returns the exit code.
pub fn run(config: &Config, host: &dyn Host, env: &Environment, io: &mut Io<'_>) -> ExitCode {
    let started = (SystemTime::now(), Instant::now());
    // One computer under two names would be done twice, the second time from a stale table.
    if let Source::Query(_) = &config.source {
        if let Err(why) = targets::check_distinct(&config.targets(), host, config.jobs) {
            return Error::Usage(why).report(&mut *io.err);
        }
    }
    let setup = |flag, path: &std::path::Path, source| Error::Setup {
        flag,
        path: path.to_path_buf(),
        source,
    };
    let audit = match &config.log {
        None => None,
        Some(path) => match AuditLog::open(path) {
            Ok(log) => Some(log),
            Err(e) => return setup("--log", path, e).report(&mut *io.err),
        },
    };
    let mut output_file = match &config.output {
        None => None,
        Some(path) => match std::fs::File::create(path) {
            Ok(file) => Some(file),
            Err(e) => return setup("--output", path, e).report(&mut *io.err),
        },
    };
    for warning in config.filters.warnings() {
        let _ = writeln!(io.err, "logoff-all: warning: {warning}");
    }
    let code_page = match config.code_page {
        Some(cp) => CodePage::Forced(cp),
        None => CodePage::Default(host.oem_code_page()),
    };
    let input = &mut *io.input;
    let targets = config.targets();
    let ctx = Ctx {
        config,
        host,
        env,
        code_page,
        err: Mutex::new(&mut *io.err),
        audit,
        finished: AtomicUsize::new(0),
        servers: targets.len(),
    };
    // Admin workflows: --drain only here; --list reads and reports, nothing else.
    if let Err(why) = drain::check_target(&ctx) {
        let mut err = ctx.err.lock().unwrap_or_else(|e| e.into_inner());
        return Error::Usage(why).report(&mut **err);
    }
    if config.list {
        return list::run(&ctx, io.out, output_file, input);
    }

    let mut results: Vec<ServerResult> = targets
        .iter()
        .map(|s| ServerResult::new(label(s.as_ref())))
        .collect();
    match (&config.source, results.first_mut()) {
        (Source::Input { .. }, Some(first)) => survey::survey(&ctx, first, Some(&mut *input)),
        _ => for_each(&mut results, config.jobs, |r| survey::survey(&ctx, r, None)),
    }
    if let Some(Error::Input { .. }) = results.first().and_then(|r| r.error.as_ref()) {
        // The capture could not be read: a file error, already said, not a server's.
        return Cause::Usage.into();
    }
    for r in &results {
        if let Some(done) = &r.done {
            for entry in &done.plan.entries {
                ctx.record(|| audit::decision(&r.server, entry, config.mode, config.verb));
            }
        }
        if let Some(e) = ErrorRecord::of(r) {
            ctx.record(|| audit::error(e, config.mode));
        }
    }

    if let (Some(log), Some(path)) = (&ctx.audit, &config.log) {
        if log.has_failed() && config.mode == Mode::Act {
            ctx.say(&format!(
                "error: the decisions could not be written to --log {}; nobody was logged off",
                path.display()
            ));
            return Cause::Usage.into();
        }
    }

    let planned: usize = results
        .iter()
        .filter_map(|r| r.done.as_ref())
        .map(|d| d.plan.logoff_order().len())
        .sum();
    let recorded = match drain::prepare(&ctx, planned) {
        Ok(recorded) => recorded,
        Err(code) => return code,
    };
    let mut code = ExitCode::SUCCESS;
    // After a declined prompt the plan is already on the console: only a file gets the report.
    let mut to_stdout = true;
    if config.mode == Mode::Act && planned > 0 {
        let console = io.console.as_mut().map(|c| &mut **c as &mut dyn Write);
        if act::confirm(&ctx, console, input, &results, planned) {
            code = drain::around(&ctx, recorded, &mut results, |r| act::act(&ctx, r));
        } else {
            ctx.say("cancelled; nobody was logged off");
            code = Cause::Cancelled.into();
            to_stdout = false;
        }
    }

    code = exit_code::fold(std::iter::once(code).chain(results.iter().map(report::exit_code)));
    if ctx.stopping() {
        ctx.say("stopped by Ctrl-C; the report shows what finished, the rest was not run");
        code = code.with(Cause::Cancelled);
        // The own session, kept for last, is not logged off after a stop either.
        last::not_run(&mut results);
    }
    if results.len() > 1 {
        let line = total_line(&results, config.mode, started.1.elapsed());
        let mut err = ctx.err.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(err, "{line}");
    }
    let info = RunInfo {
        started: started.0,
        finished: SystemTime::now(),
        mode: config.mode,
        code,
    };
    let written = match output_file.as_mut() {
        Some(file) => {
            let mut out = std::io::BufWriter::new(file);
            report::write(&mut out, config.format, &results, &info, true).and_then(|()| out.flush())
        }
        None if !to_stdout => Ok(()),
        None => {
            let mut out = std::io::BufWriter::new(&mut *io.out);
            report::write(&mut out, config.format, &results, &info, false)
                .and_then(|()| out.flush())
        }
    };
    if let Err(e) = written {
        ctx.say(&format!("warning: the report could not be written: {e}"));
    }
    // Everything is done and written: now, and only now, the caller's own session.
    last::own_sessions(&ctx, &results, code)
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
    let items_len = items.len();
    let queue = Mutex::new(items.iter_mut());
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(items_len) {
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

/// Concatenates the decoded lines.
fn all_text(decoded: &Decoded) -> String {
    decoded
        .lines
        .iter()
        .map(|l| &*l.text)
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
