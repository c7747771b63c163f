//! Audit: the `--log` trail (one JSON object per line for every decision and outcome, appended,
//! never truncated) and the `--event-log` summary event per server (stock `eventcreate`).

use crate::act::execute::Outcome;
use crate::act::warn::Warned;
use crate::plan::{Action, Entry, Subject};
use serde_json::{json, Map, Value};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// An open `--log` file.
#[derive(Debug)]
pub struct AuditLog {
    file: Mutex<File>,
    path: PathBuf,
    failed: AtomicBool,
}

impl AuditLog {
    /// Opens (or creates) the file for appending; a run that cannot do this logs nobody off.
    pub fn open(path: &Path) -> std::io::Result<AuditLog> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        Ok(AuditLog {
            file: Mutex::new(file),
            path: path.to_path_buf(),
            failed: AtomicBool::new(false),
        })
    }

    /// Whether any write has failed.
    pub fn has_failed(&self) -> bool {
        self.failed.load(Ordering::SeqCst)
    }

    /// Appends one record with the time in front and flushes it. Returns an error message the
    /// first time a write fails (later failures are silent; the run goes on).
    pub fn record(&self, mut fields: Map<String, Value>) -> Option<String> {
        let mut line = Map::new();
        line.insert("time".into(), rfc3339(SystemTime::now()).into());
        line.append(&mut fields);
        let mut text = Value::Object(line).to_string();
        text.push('\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let result = file.write_all(text.as_bytes()).and_then(|()| file.flush());
        match result {
            Ok(()) => None,
            Err(e) if !self.failed.swap(true, Ordering::SeqCst) => Some(format!(
                "cannot write --log {}: {e}; the run goes on without it",
                self.path.display()
            )),
            Err(_) => None,
        }
    }
}

/// The fields describing one entry (server, id, user, session name, state, action, reason).
pub fn entry_fields(event: &str, server: &str, entry: &Entry) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("event".into(), event.into());
    m.insert("server".into(), server.into());
    match &entry.subject {
        Subject::Session(s) => {
            m.insert("id".into(), s.id.get().into());
            m.insert("user".into(), json!(s.user));
            m.insert("session_name".into(), json!(s.name));
            m.insert("state".into(), s.state_word.clone().into());
        }
        Subject::Line(line) => {
            m.insert("id".into(), Value::Null);
            m.insert("raw".into(), line.raw.clone().into());
        }
    }
    let action = match entry.action {
        Action::Logoff => "logoff",
        Action::Skip => "skip",
    };
    m.insert("action".into(), action.into());
    m.insert("reason".into(), entry.reason.text().into());
    m
}

/// A decision record.
pub fn decision(server: &str, entry: &Entry, dry_run: bool) -> Map<String, Value> {
    let mut m = entry_fields("decision", server, entry);
    m.insert("dry_run".into(), dry_run.into());
    m
}

/// An outcome record.
pub fn outcome(server: &str, entry: &Entry, outcome: &Outcome) -> Map<String, Value> {
    let mut m = entry_fields("outcome", server, entry);
    m.insert("outcome".into(), outcome.code().into());
    m.insert("message".into(), json!(outcome.message()));
    m
}

/// A warning-message record.
pub fn warned(server: &str, entry: &Entry, warned: &Warned) -> Map<String, Value> {
    let mut m = entry_fields("warn", server, entry);
    m.insert("outcome".into(), warned.code().into());
    m.insert("message".into(), json!(warned.message()));
    m
}

/// A whole-server error record.
pub fn error(server: &str, kind: &str, message: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("event".into(), "error".into());
    m.insert("server".into(), server.into());
    m.insert("outcome".into(), kind.into());
    m.insert("message".into(), message.into());
    m
}

/// Formats a time as RFC 3339 in UTC, to the second: `2026-11-24T02:00:00Z`.
pub fn rfc3339(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86400, secs % 86400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn rfc3339_dates_are_right() {
        let at = |s| rfc3339(UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(1_795_485_600), "2026-11-24T02:00:00Z");
        assert_eq!(at(4_107_542_399), "2100-02-28T23:59:59Z");
    }
}
