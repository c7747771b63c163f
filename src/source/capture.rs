//! Capture: sessions read from saved outputs, `--input` (a `query session` capture, or standard
//! input for `-`) and `--input-user` (a `query user` capture). A capture may come from any
//! host: only its `>` marker tells the own session.

use super::{counter_warning, idle_table, session_table, Snapshot, Source};
use crate::decode::CodePage;
use crate::error::Error;
use crate::table::idle::IdleTable;
use crate::vocab::{file, ServerName};
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

/// Saved outputs.
pub(crate) struct Capture {
    path: PathBuf,
    input_user: Option<PathBuf>,
    code_page: CodePage,
    /// Standard input, read once when `path` is `-`.
    stdin: Mutex<Option<std::io::Result<Vec<u8>>>>,
}

impl Capture {
    /// The capture at `path` (`-`: what `stdin` holds, read now) and the `query user` one at
    /// `input_user`, decoded with `code_page`.
    pub(crate) fn new(
        path: PathBuf,
        input_user: Option<PathBuf>,
        code_page: CodePage,
        stdin: &mut dyn BufRead,
    ) -> Capture {
        let stdin =
            (path.as_os_str() == "-").then(|| file::read_limited(stdin, file::CAPTURE_LIMIT));
        Capture {
            path,
            input_user,
            code_page,
            stdin: Mutex::new(stdin),
        }
    }

    fn bytes(&self) -> std::io::Result<Vec<u8>> {
        let taken = self.stdin.lock().unwrap_or_else(|e| e.into_inner()).take();
        match taken {
            Some(read) => read,
            None if self.path.as_os_str() == "-" => Ok(Vec::new()),
            None => file::read(&self.path, file::CAPTURE_LIMIT),
        }
    }
}

impl Source for Capture {
    fn read(&self, server: Option<&ServerName>, idle: bool) -> Result<Snapshot, Error> {
        let bytes = self.bytes().map_err(|source| Error::Input {
            path: self.path.clone(),
            source,
        })?;
        let read_at = Instant::now();
        let table = session_table(&bytes, self.code_page)?;
        let warnings = counter_warning(&table).into_iter().collect();
        let idle = match idle {
            true => self.read_idle(server)?,
            false => None,
        };
        Ok(Snapshot {
            table,
            idle,
            read_at,
            own_session: None,
            own_user: None,
            warnings,
            // A saved capture is read once, as it is: pasted ones often lack the last line end.
            whole: true,
        })
    }

    fn read_idle(&self, _server: Option<&ServerName>) -> Result<Option<IdleTable>, Error> {
        let Some(path) = &self.input_user else {
            return Ok(None);
        };
        let bytes = file::read(path, file::CAPTURE_LIMIT).map_err(|source| Error::InputUser {
            path: path.clone(),
            source,
        })?;
        idle_table(&bytes, self.code_page).map(Some)
    }
}
