//! The drain journal: before a run drains new logons it writes down, where only administrators
//! can write, which process drained, what mode it found and what it set; it removes the note
//! once the mode is back. A run killed from outside (Task Scheduler's stop, `taskkill /f`)
//! leaves the note behind, and the next run (or `--restore-logons`) puts the mode back when
//! that process is gone and the mode is still the drained one.

use crate::host::{Host, LogonMode, Process};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One drain in force, as written down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// The process that drained.
    pub(crate) pid: u32,
    /// When it started, as the system tells it (tells a reused process ID apart).
    pub(crate) started: Option<u64>,
    /// The mode before the drain, as its `change logon` switch.
    pub(crate) recorded: String,
    /// The mode the run set, as its `change logon` switch.
    pub(crate) set: String,
}

impl Entry {
    /// The entry for this process, draining from `recorded` to `set`.
    pub(crate) fn this_run(host: &dyn Host, recorded: LogonMode, set: LogonMode) -> Entry {
        let pid = std::process::id();
        Entry {
            pid,
            started: match host.process(pid) {
                Process::Running(started) => started,
                Process::Gone => None,
            },
            recorded: recorded.switch().to_string(),
            set: set.switch().to_string(),
        }
    }

    /// The recorded and the set mode; `None` when the note names a mode this version does not
    /// know.
    pub(crate) fn modes(&self) -> Option<(LogonMode, LogonMode)> {
        Some((
            LogonMode::from_switch(&self.recorded)?,
            LogonMode::from_switch(&self.set)?,
        ))
    }

    /// Whether the process that wrote the note still runs (the same process: a reused ID with
    /// another start time is not it). A process whose start time cannot be told counts as
    /// running.
    pub(crate) fn still_running(&self, host: &dyn Host) -> bool {
        match host.process(self.pid) {
            Process::Gone => false,
            Process::Running(None) => true,
            Process::Running(Some(t)) => self.started.is_none_or(|s| s == t),
        }
    }
}

/// The journal file and its note.
#[derive(Debug)]
pub(crate) struct Journal {
    /// Where it is.
    pub(crate) path: PathBuf,
}

impl Journal {
    /// The host's journal; `Err` says why there is none.
    pub(crate) fn open(host: &dyn Host) -> Result<Journal, String> {
        host.journal().map(|path| Journal { path })
    }

    /// Writes the note (to a temporary file first, then renamed over the journal, so a run
    /// killed while writing leaves the old note or the new, never half of one).
    pub(crate) fn write(&self, entry: &Entry) -> Result<(), String> {
        let tmp = self.path.with_extension("json.tmp");
        let text = serde_json::to_string(entry).map_err(|e| e.to_string())?;
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, &self.path))
            .map_err(|e| format!("{}: {e}", self.path.display()))
    }

    /// The note, if there is one; `Err` when it cannot be read or is not a note.
    pub(crate) fn read(&self) -> Result<Option<Entry>, String> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| format!("{} is not a drain note: {e}", self.path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{}: {e}", self.path.display())),
        }
    }

    /// Removes the note; `Err` when it is there and cannot be removed.
    pub(crate) fn remove(&self) -> Result<(), String> {
        remove(&self.path)
    }
}

fn remove(path: &Path) -> Result<(), String> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}
