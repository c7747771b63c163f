//! Test helpers for the act stage: events that keep what was said, and a stage on a fake host.

use crate::act::drain::Undo;
use crate::act::{Events, Planner, Record, ServerResult, Stage};
use crate::config::Config;
use crate::decode::CodePage;
use crate::host::Host;
use crate::source::Query;
use std::io::Write;
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;
use std::time::Duration;

/// Events that keep every line said (as it would reach standard error) and every record's kind.
#[derive(Default)]
pub(crate) struct Kept {
    /// What was said and written to the console.
    pub(crate) said: Mutex<Vec<u8>>,
    /// One word per record: `decision`, `outcome`, `warned`, `reminded`, `logon_mode`.
    pub(crate) records: Mutex<Vec<String>>,
}

impl Kept {
    /// What was said, as text.
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.said.lock().unwrap()).into_owned()
    }
}

impl Events for Kept {
    fn say(&self, line: &str) {
        let _ = writeln!(self.said.lock().unwrap(), "logoff-all: {line}");
    }

    fn record(&self, record: Record<'_>) {
        let kind = match record {
            Record::Decision { .. } => "decision",
            Record::Started { .. } => "started",
            Record::Outcome { .. } => "outcome",
            Record::Warned {
                reminder: false, ..
            } => "warned",
            Record::Warned { reminder: true, .. } => "reminded",
            Record::LogonMode { .. } => "logon_mode",
        };
        self.records.lock().unwrap().push(kind.to_string());
    }

    fn console(&self, write: &mut dyn FnMut(&mut dyn Write)) {
        write(&mut *self.said.lock().unwrap());
    }

    fn server_acted(&self, _result: &mut ServerResult) {}

    fn server_finished(&self, _result: &ServerResult) {}
}

/// Runs `f` with a stage for `config` on `host` (code page 437, events kept in `events`), and
/// this computer's result surveyed.
pub(crate) fn with_stage<T>(
    config: &Config,
    host: &dyn Host,
    events: &Kept,
    f: impl FnOnce(&Stage<'_>, &mut Vec<ServerResult>) -> T,
) -> T {
    let source = Query {
        host,
        timeout: config.timeout,
        code_page: CodePage::Default(437),
    };
    let (stop, undo) = (AtomicBool::new(false), Undo::default());
    let stage = Stage {
        config,
        host,
        planner: Planner {
            source: &source,
            config,
        },
        events,
        code_page: CodePage::Default(437),
        stop: &stop,
        undo: &undo,
        recheck_after: Duration::from_secs(10),
        stderr_terminal: false,
    };
    let mut result = ServerResult::new("localhost".into(), None);
    result.done = Some(stage.planner.look(None).unwrap().into_done(config.verb));
    let mut results = vec![result];
    f(&stage, &mut results)
}
