//! App: one run from config to exit code, stage by stage: survey every server (query → decode →
//! table → plan), then, unless it is a dry run (decided here, once), act (confirm → warn → wait →
//! re-check → log off), then report. Servers are independent and run `--jobs` at a time; within
//! a server, logoffs stay one at a time in plan order.

mod act;
pub mod console;
mod logoffs;
mod survey;
#[cfg(test)]
mod tests;

use crate::config::{Config, Format, ServerName, Source};
use crate::decode::{self, CodePage, Decoded};
use crate::exit_code::{self, ExitCode};
use crate::host::Host;
use crate::report::audit::{self, AuditLog};
use crate::report::{self, ServerResult};
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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

    /// Whether Ctrl-C asked the run to stop.
    fn stopping(&self) -> bool {
        self.env.stop.load(Ordering::SeqCst)
    }
}

/// Runs the whole job and returns the exit code.
pub fn run(config: &Config, host: &dyn Host, env: &Environment, io: &mut Io<'_>) -> ExitCode {
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
    for warning in config.filters.warnings() {
        let _ = writeln!(io.err, "logoff-all: warning: {warning}");
    }
    let code_page = match config.code_page {
        Some(cp) => CodePage::Forced(cp),
        None => CodePage::Default(host.oem_code_page()),
    };
    let input = &mut *io.input;
    let ctx = Ctx {
        config,
        host,
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
    match (&config.source, results.first_mut()) {
        (Source::Input { .. }, Some(first)) => survey::survey(&ctx, first, Some(&mut *input)),
        _ => for_each(&mut results, config.jobs, |r| survey::survey(&ctx, r, None)),
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
        if !act::confirm(
            &ctx,
            io.console.as_mut().map(|c| &mut **c as &mut dyn Write),
            input,
            &results,
            planned,
        ) {
            ctx.say("cancelled; nobody was logged off");
            return ExitCode::Cancelled;
        }
        act::act(&ctx, &mut results);
    }

    let mut code = exit_code::fold(results.iter().map(report::exit_code));
    if ctx.stopping() {
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
