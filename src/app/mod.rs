//! App: one run from config to exit code, stage by stage, dispatched once on the mode: the
//! targets are checked (one computer named twice is refused), every server is surveyed (read and
//! planned through one [`Planner`]), then `--list` reports the inventory, a dry run reports the
//! plan, and a run that acts confirms, acts ([`crate::act`]), reports, and keeps the caller's own
//! session for last.

mod check;
mod confirm;
mod list;
#[cfg(test)]
mod sim;
mod survey;
mod targets;
#[cfg(test)]
mod tests;
mod voice;

use crate::act::drain::{self, Undo};
use crate::act::{self, for_each, Planner, ServerResult, Stage};
use crate::config::{Config, Mode, Source};
use crate::decode::CodePage;
use crate::error::Error;
use crate::exit_code::{self, Cause, ExitCode};
use crate::host::Host;
use crate::report::audit::{self, AuditLog};
use crate::report::record::ErrorRecord;
use crate::report::summary::total_line;
use crate::report::{self, Report, RunInfo};
use crate::vocab::ServerName;
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};
use voice::Voice;

/// What the run learns from the terminal it runs on, and what Ctrl-C reaches.
#[derive(Debug, Clone)]
pub(crate) struct Environment {
    /// Whether standard input is a terminal: a person can answer, so the plan is confirmed
    /// (whatever standard output is: the plan and question go to the console).
    pub(crate) interactive: bool,
    /// Whether standard error is a terminal (then the grace period is a countdown).
    pub(crate) stderr_terminal: bool,
    /// Read the table again before each logoff when it is older than this (a long prompt, slow
    /// logoffs).
    pub(crate) recheck_after: Duration,
    /// Set by Ctrl-C: no new logoff, message or wait starts; what finished is reported.
    pub(crate) stop: Arc<AtomicBool>,
    /// Set by a second Ctrl-C: the calls that only read or tell are stopped too (the host
    /// holds it); what was started is still reported.
    pub(crate) hurry: Arc<AtomicBool>,
    /// The run's record of a drain to undo, which the handler of a second Ctrl-C puts back at
    /// once.
    pub(crate) undo: Arc<Undo>,
    /// The command line, program name first, for the audit log's run lines.
    pub(crate) args: Vec<String>,
}

impl Default for Environment {
    fn default() -> Self {
        Environment {
            interactive: false,
            stderr_terminal: false,
            recheck_after: Duration::from_secs(10),
            stop: Arc::new(AtomicBool::new(false)),
            hurry: Arc::new(AtomicBool::new(false)),
            undo: Arc::new(Undo::default()),
            args: Vec::new(),
        }
    }
}

/// The streams a run talks to.
pub(crate) struct Io<'a> {
    /// The report.
    pub(crate) out: &'a mut dyn Write,
    /// Errors, warnings, progress and the confirmation question (shared by server threads).
    pub(crate) err: &'a mut (dyn Write + Send),
    /// Captured input for `--input -`, and the answer to the confirmation question.
    pub(crate) input: &'a mut dyn BufRead,
    /// Where the plan and the confirmation question go: the console (`CONOUT$` on Windows);
    /// `None`: `err`.
    pub(crate) console: Option<&'a mut dyn Write>,
}

/// Runs the whole job and returns the exit code: `--check` and `--save-capture` through
/// [`check`], every other run through [`run_plan`].
pub(crate) fn run(
    config: &Config,
    host: &dyn Host,
    env: &Environment,
    io: &mut Io<'_>,
) -> ExitCode {
    if config.check || config.save_capture.is_some() {
        return check::run(config, host, env, io);
    }
    run_plan(config, host, env, io, None)
}

/// Called with the run's report once it is written and before the own session's logoff
/// (`--save-capture` keeps it as the run's JSON plan).
type ReportHook<'a> = &'a dyn Fn(&Report<'_>, ExitCode);

/// One run from targets to the own session's logoff; `hook` is given the report.
fn run_plan(
    config: &Config,
    host: &dyn Host,
    env: &Environment,
    io: &mut Io<'_>,
    hook: Option<ReportHook<'_>>,
) -> ExitCode {
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
    // The log opens with a line for the run itself: who ran what, where.
    let who = audit::Who {
        args: env.args.clone(),
        account: host.own_user(),
        computer: host.computer_name(),
    };
    if let Some(log) = &audit {
        if let Some(problem) = log.record(&audit::run_start(&who, config.mode)) {
            let _ = writeln!(io.err, "logoff-all: warning: {problem}");
        }
    }
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
    if let Err(why) = drain::run::check_target(config, host) {
        return Error::Usage(why).report(&mut *io.err);
    }
    let code_page = match config.code_page {
        Some(cp) => CodePage::Forced(cp),
        None => CodePage::Default(host.oem_code_page()),
    };
    let targets: Vec<(String, Option<ServerName>)> = config
        .targets()
        .into_iter()
        .map(|s| (label(config, s.as_ref()), s))
        .collect();
    let source = crate::source::open(config, host, code_page, &mut *io.input);
    let planner = Planner {
        source: &*source,
        config,
    };
    let voice = Voice {
        config,
        host,
        code_page,
        err: Mutex::new(&mut *io.err),
        audit,
        finished: AtomicUsize::new(0),
        servers: targets.len(),
    };
    // Writes the report; `false` (said on stderr) when it could not be written in full.
    let write = |report: &Report<'_>, file: Option<&mut std::fs::File>, out: &mut dyn Write| {
        let written = match file {
            Some(file) => {
                let mut out = std::io::BufWriter::new(file);
                report::write(&mut out, config.format, report, true).and_then(|()| out.flush())
            }
            None => {
                let mut out = std::io::BufWriter::new(out);
                report::write(&mut out, config.format, report, false).and_then(|()| out.flush())
            }
        };
        let Err(e) = written else { return true };
        let line = match &config.output {
            Some(path) => format!(
                "error: the report could not be written in full to --output {}: {e}",
                path.display()
            ),
            None => format!(
                "error: the report could not be written to standard output: {e}; the report \
                 was lost (--output FILE writes it to a file)"
            ),
        };
        act::Events::say(&voice, &line);
        false
    };
    // Whether the audit log missed a line; said once, at the end, with its exit bit.
    let log_failed = || voice.audit.as_ref().is_some_and(AuditLog::has_failed);

    // What acting needs: the flags, the machine, the planner, the voice, Ctrl-C's flag.
    let stage = Stage {
        config,
        host,
        planner,
        events: &voice,
        code_page,
        stop: &env.stop,
        undo: &env.undo,
        recheck_after: env.recheck_after,
        stderr_terminal: env.stderr_terminal,
    };
    if config.restore_logons {
        return drain::run::mend(&stage, &mut [], true);
    }

    if config.mode == Mode::List {
        let (lists, code) = list::run(&voice, &planner, &targets);
        let code = match write(&Report::List(&lists, code), output_file.as_mut(), io.out) {
            true => code,
            false => code.with(Cause::OutputFailed),
        };
        if let Some(hook) = hook {
            hook(&Report::List(&lists, code), code);
        }
        return code;
    }

    let mut results: Vec<ServerResult> = targets
        .into_iter()
        .map(|(label, target)| ServerResult::new(label, target))
        .collect();
    for_each(&mut results, config.jobs, |r| {
        survey::survey(&voice, &planner, r)
    });
    if let Some(Error::Input { .. }) = results.first().and_then(|r| r.error.as_ref()) {
        // The capture could not be read: a file error, already said, not a server's.
        return Cause::Usage.into();
    }
    for r in &results {
        if let Some(done) = &r.done {
            for entry in &done.plan.entries {
                voice.audit(|| audit::decision(&r.server, entry, config.mode, config.verb));
            }
        }
        if let Some(e) = ErrorRecord::of(r) {
            voice.audit(|| audit::error(e, config.mode));
        }
    }
    if let (Some(log), Some(path)) = (&voice.audit, &config.log) {
        if log.has_failed() && config.mode == Mode::Act {
            act::Events::say(
                &voice,
                &format!(
                    "error: the decisions could not be written to --log {}; nobody was logged off",
                    path.display()
                ),
            );
            return Cause::Usage.into();
        }
    }

    let planned: usize = results
        .iter()
        .filter_map(|r| r.done.as_ref())
        .map(|d| d.plan.logoff_order().len())
        .sum();
    // ... and closes with the exit code and the totals.
    let close = |code: ExitCode, results: &[ServerResult]| {
        voice.audit(|| audit::run_end(&who, config.mode, code, results));
        code
    };
    // A drain left behind by a run killed from outside is mended before anything else.
    let mended = match config.mode {
        Mode::Act => drain::run::mend(&stage, &mut results, false),
        Mode::DryRun | Mode::List => ExitCode::SUCCESS,
    };
    let recorded = match drain::run::prepare(&stage, planned) {
        Ok(recorded) => recorded,
        Err(code) => return close(code, &results),
    };
    let mut code = ExitCode::SUCCESS;
    // After a declined prompt the plan is already on the console: only a file gets the report.
    let mut to_stdout = true;
    if config.mode == Mode::Act && planned > 0 {
        let console = io.console.as_mut().map(|c| &mut **c as &mut dyn Write);
        let input = &mut *io.input;
        if confirm::confirm(&voice, env.interactive, console, input, &results, planned) {
            code = act::act(&stage, recorded, &mut results);
        } else {
            stage.say("cancelled; nobody was logged off");
            code = Cause::Cancelled.into();
            to_stdout = false;
        }
    }

    code = exit_code::fold(
        [code, mended]
            .into_iter()
            .chain(results.iter().map(ServerResult::exit_code)),
    );
    if stage.stopping() {
        stage.say("stopped by Ctrl-C; the report shows what finished, the rest was not run");
        code = code.with(Cause::Cancelled);
        // The own session, kept for last, is not logged off after a stop either.
        act::last::not_run(&mut results);
    }
    if results.len() > 1 {
        voice.line(&total_line(&results, config.mode, started.1.elapsed()));
    }
    if log_failed() {
        code = code.with(Cause::OutputFailed);
    }
    let info = RunInfo {
        started: started.0,
        finished: SystemTime::now(),
        mode: config.mode,
        code,
    };
    if (to_stdout || output_file.is_some())
        && !write(&Report::Run(&results, &info), output_file.as_mut(), io.out)
    {
        code = code.with(Cause::OutputFailed);
    }
    if let Some(hook) = hook {
        hook(&Report::Run(&results, &info), code);
    }
    close(code, &results);
    if let (true, Some(path)) = (log_failed(), &config.log) {
        code = code.with(Cause::OutputFailed);
        act::Events::say(
            &voice,
            &format!(
                "error: the audit log --log {} is not complete: a line could not be written",
                path.display()
            ),
        );
    }
    // Everything is done and written: now, and only now, the caller's own session.
    act::last::own_sessions(&stage, &results, code)
}

/// The name a server is reported under: its name, `localhost` for this computer, and for
/// `--input` the capture's file name (`stdin` for `-`), so a preview is never taken for a live
/// read of this computer.
fn label(config: &Config, server: Option<&ServerName>) -> String {
    match (&config.source, server) {
        (_, Some(server)) => server.to_string(),
        (Source::Input { path }, None) if path.as_os_str() == "-" => "stdin".to_string(),
        (Source::Input { path }, None) => path
            .file_name()
            .map_or("input".to_string(), |n| n.to_string_lossy().into_owned()),
        (Source::Query(_), None) => "localhost".to_string(),
    }
}
