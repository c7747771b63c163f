//! Voice: where the run's lines and events go. Lines to standard error, one write each so
//! server threads never split one; audit lines to `--log`; the progress line of each server;
//! the `--event-log` event. The act stage reaches it only through [`Events`].

use crate::act::drain::describe;
use crate::act::{Events, Record, ServerResult};
use crate::config::{Config, Mode};
use crate::decode::CodePage;
use crate::host::{Call, Host};
use crate::report;
use crate::report::audit::{self, AuditLog};
use crate::report::summary::progress_line;
use crate::vocab::one_line;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The run's voice.
pub(super) struct Voice<'a> {
    pub(crate) config: &'a Config,
    pub(crate) host: &'a dyn Host,
    pub(crate) code_page: CodePage,
    pub(crate) err: Mutex<&'a mut (dyn Write + Send)>,
    pub(crate) audit: Option<AuditLog>,
    /// Servers finished so far, for the progress lines.
    pub(crate) finished: AtomicUsize,
    /// Servers in the run.
    pub(crate) servers: usize,
}

impl Voice<'_> {
    /// Appends a line to the audit log; the line is only built when there is a log.
    pub(crate) fn audit(&self, line: impl FnOnce() -> audit::Line) {
        if let Some(problem) = self.audit.as_ref().and_then(|a| a.record(&line())) {
            self.say(&format!("warning: {problem}"));
        }
    }

    /// Says at once that a server failed (the one time its error is printed).
    pub(crate) fn server_failed(&self, result: &ServerResult) {
        if let Some(e) = &result.error {
            self.say(&format!("error: {}: {e}", result.server));
        }
    }

    /// A server is finished: with several servers, its progress line on stderr.
    pub(crate) fn finished(&self, result: &ServerResult) {
        let n = self.finished.fetch_add(1, Ordering::SeqCst) + 1;
        if self.servers > 1 {
            let line = progress_line(result, n, self.servers, self.config.mode);
            let mut err = self.err.lock().unwrap_or_else(|e| e.into_inner());
            let _ = writeln!(err, "{line}");
        }
    }

    /// Writes a line to standard error as it is (no prefix).
    pub(crate) fn line(&self, line: &str) {
        let mut err = self.err.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(err, "{line}");
    }
}

impl Events for Voice<'_> {
    fn say(&self, line: &str) {
        // One write per line: a line is never split by another thread's, and costs one call.
        let text = format!("logoff-all: {line}\n");
        let mut err = self.err.lock().unwrap_or_else(|e| e.into_inner());
        let _ = err.write_all(text.as_bytes());
    }

    fn record(&self, record: Record<'_>) {
        let verb = self.config.verb;
        self.audit(|| match record {
            Record::Decision { server, entry } => audit::decision(server, entry, Mode::Act, verb),
            Record::Started { server, entry } => audit::started(server, entry, verb),
            Record::Outcome {
                server,
                entry,
                outcome,
            } => audit::outcome(server, entry, outcome, verb),
            Record::Warned {
                server,
                entry,
                warned,
                reminder: false,
            } => audit::warned(server, entry, warned, verb),
            Record::Warned {
                server,
                entry,
                warned,
                reminder: true,
            } => audit::reminded(server, entry, warned, verb),
            Record::LogonMode { step, mode } => audit::logon_mode(step, describe(mode)),
        });
    }

    fn console(&self, write: &mut dyn FnMut(&mut dyn Write)) {
        let mut err = self.err.lock().unwrap_or_else(|e| e.into_inner());
        write(&mut **err);
    }

    /// Writes the server's summary event with the stock eventcreate; a failure is a warning.
    fn server_acted(&self, result: &mut ServerResult) {
        if !self.config.event_log {
            return;
        }
        let ok = result.exit_code().is_success();
        let summary = report::summary_line(result, self.config.mode);
        let call = Call::EventCreate { ok, text: &summary };
        let text = |b: &[u8]| crate::source::lossy(b, self.code_page);
        match self.host.run(&call, None, self.config.timeout) {
            Ok(o) if o.success() => {}
            Ok(o) => result.warnings.push(format!(
                "event log not written: eventcreate exit code {}: {}",
                o.code.unwrap_or(-1),
                one_line(&[text(&o.stderr), text(&o.stdout)].join(" "))
            )),
            Err(e) => result.warnings.push(format!("event log not written: {e}")),
        }
    }

    fn server_finished(&self, result: &ServerResult) {
        self.server_failed(result);
        self.finished(result);
    }
}
