//! Capture: `--save-capture DIR`. A [`Recorder`] is a host that runs every call through the
//! real one and keeps what came back, byte for byte; [`Folder`] is a new numbered folder in DIR
//! (never an existing one), and [`Folder::save`] writes into it the raw outputs, one file per
//! stream named by call number and tool only, and `run.json`: the command line, each call's argv,
//! exit code and files, the code page, the Windows version and display language. The run's JSON
//! plan is `plan.json`, and `check.txt` what `--check` said.

use crate::host::about::About;
use crate::host::runner::{Output, RunError};
use crate::host::{Call, Host, HostError, Locality};
use crate::report::json::rfc3339;
use crate::vocab::{ServerName, SessionId};
use serde::Serialize;
use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

/// The most numbered folders tried in one DIR.
const MAX_FOLDERS: u32 = 9999;

/// One call as it was run.
struct Recorded {
    tool: &'static str,
    argv: Vec<String>,
    server: Option<String>,
    /// What it printed (also what it printed before a timeout stopped it).
    output: Output,
    /// Why it did not run to completion.
    error: Option<String>,
    elapsed: Duration,
}

/// A host that runs every call through `inner` and records it.
pub(crate) struct Recorder<'a> {
    inner: &'a dyn Host,
    calls: Mutex<Vec<Recorded>>,
}

impl<'a> Recorder<'a> {
    /// Records the calls run through `inner`.
    pub(crate) fn new(inner: &'a dyn Host) -> Recorder<'a> {
        Recorder {
            inner,
            calls: Mutex::new(Vec::new()),
        }
    }
}

impl Host for Recorder<'_> {
    fn run(
        &self,
        call: &Call<'_>,
        server: Option<&ServerName>,
        timeout: Duration,
    ) -> Result<Output, HostError> {
        let started = Instant::now();
        let result = self.inner.run(call, server, timeout);
        let (output, error) = match &result {
            Ok(output) => (output.clone(), None),
            Err(HostError::Run(RunError::TimedOut { partial, .. })) => (
                partial.clone(),
                result.as_ref().err().map(ToString::to_string),
            ),
            Err(e) => (Output::default(), Some(e.to_string())),
        };
        self.calls
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Recorded {
                tool: call.tool().file_name(),
                argv: call.argv(server),
                server: server.map(ToString::to_string),
                output,
                error,
                elapsed: started.elapsed(),
            });
        result
    }

    fn own_session(&self) -> Option<SessionId> {
        self.inner.own_session()
    }

    fn oem_code_page(&self) -> u16 {
        self.inner.oem_code_page()
    }

    fn locality(&self, server: &ServerName) -> Locality {
        self.inner.locality(server)
    }

    fn addresses(&self, server: &ServerName) -> Option<Vec<IpAddr>> {
        self.inner.addresses(server)
    }

    fn own_user(&self) -> Option<String> {
        self.inner.own_user()
    }

    fn logon_mode(&self) -> Option<crate::host::LogonMode> {
        self.inner.logon_mode()
    }

    fn journal(&self) -> Result<PathBuf, String> {
        self.inner.journal()
    }

    fn process(&self, pid: u32) -> crate::host::Process {
        self.inner.process(pid)
    }
}

/// A new folder for one capture: `DIR/capture-0001`, the first number not taken.
pub(crate) struct Folder {
    /// The folder made.
    pub(crate) path: PathBuf,
}

impl Folder {
    /// Makes DIR (when missing) and a new numbered folder in it; an existing folder is never
    /// reused, so nothing is overwritten.
    pub(crate) fn create(dir: &Path) -> std::io::Result<Folder> {
        std::fs::create_dir_all(dir)?;
        for n in 1..=MAX_FOLDERS {
            let path = dir.join(format!("capture-{n:04}"));
            match std::fs::create_dir(&path) {
                Ok(()) => return Ok(Folder { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(std::io::Error::other(format!(
            "{MAX_FOLDERS} capture folders are already there; give another folder"
        )))
    }

    /// Writes a new file (never replacing one).
    fn file(&self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(self.path.join(name))?;
        f.write_all(bytes)?;
        f.flush()
    }

    /// Writes every recorded call, `run.json`, and the plan and check text when given.
    pub(crate) fn save(&self, what: &Saved<'_>) -> std::io::Result<()> {
        let calls = what
            .recorder
            .calls
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let mut described = Vec::new();
        for (i, c) in calls.iter().enumerate() {
            // Only the call number and the tool's own file name: no user-controlled text.
            let stem = format!("{:02}-{}", i + 1, c.tool.trim_end_matches(".exe"));
            let stdout = format!("{stem}.stdout");
            let stderr = format!("{stem}.stderr");
            self.file(&stdout, &c.output.stdout)?;
            self.file(&stderr, &c.output.stderr)?;
            described.push(CallJson {
                n: i + 1,
                tool: c.tool,
                argv: &c.argv,
                server: c.server.as_deref(),
                exit_code: c.output.code,
                error: c.error.as_deref(),
                elapsed_ms: u64::try_from(c.elapsed.as_millis()).unwrap_or(u64::MAX),
                stdout,
                stdout_bytes: c.output.stdout.len(),
                stderr,
                stderr_bytes: c.output.stderr.len(),
            });
        }
        if let Some(plan) = what.plan {
            self.file("plan.json", plan)?;
        }
        if let Some(check) = what.check {
            self.file("check.txt", check.as_bytes())?;
        }
        let run = RunJson {
            logoff_all_version: env!("CARGO_PKG_VERSION"),
            saved: rfc3339(SystemTime::now()),
            command_line: std::env::args_os()
                .map(|a| a.to_string_lossy().into_owned())
                .collect(),
            windows: WindowsJson {
                is_windows: what.about.windows,
                version: what.about.version.as_deref(),
                display_language: what.about.language.as_deref(),
            },
            code_page: CodePageJson {
                oem: what.recorder.oem_code_page(),
                forced: what.forced_code_page,
            },
            own_session: what.recorder.own_session().map(SessionId::get),
            exit_code: what.exit_code,
            plan: what.plan.map(|_| "plan.json"),
            check: what.check.map(|_| "check.txt"),
            calls: described,
        };
        let mut json = serde_json::to_vec_pretty(&run).map_err(std::io::Error::other)?;
        json.push(b'\n');
        self.file("run.json", &json)
    }
}

/// What one capture holds besides the recorded calls.
pub(crate) struct Saved<'a> {
    /// The calls.
    pub(crate) recorder: &'a Recorder<'a>,
    /// The system.
    pub(crate) about: &'a About,
    /// `--codepage`, when given.
    pub(crate) forced_code_page: Option<u16>,
    /// The run's JSON report.
    pub(crate) plan: Option<&'a [u8]>,
    /// What `--check` printed.
    pub(crate) check: Option<&'a str>,
    /// The run's exit code, when it ended.
    pub(crate) exit_code: Option<u8>,
}

#[derive(Serialize)]
struct RunJson<'a> {
    logoff_all_version: &'static str,
    saved: String,
    command_line: Vec<String>,
    windows: WindowsJson<'a>,
    code_page: CodePageJson,
    own_session: Option<u32>,
    exit_code: Option<u8>,
    plan: Option<&'static str>,
    check: Option<&'static str>,
    calls: Vec<CallJson<'a>>,
}

#[derive(Serialize)]
struct WindowsJson<'a> {
    is_windows: bool,
    version: Option<&'a str>,
    display_language: Option<&'a str>,
}

#[derive(Serialize)]
struct CodePageJson {
    oem: u16,
    forced: Option<u16>,
}

#[derive(Serialize)]
struct CallJson<'a> {
    n: usize,
    tool: &'static str,
    argv: &'a [String],
    server: Option<&'a str>,
    exit_code: Option<i32>,
    error: Option<&'a str>,
    elapsed_ms: u64,
    stdout: String,
    stdout_bytes: usize,
    stderr: String,
    stderr_bytes: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::fake::{exited, FakeHost};

    #[test]
    fn a_capture_never_overwrites_and_names_files_by_number_and_tool() {
        let dir = std::env::temp_dir().join(format!("logoff-all-capture-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let host = FakeHost::new(|call, _| match call {
            Call::QuerySession => exited(0, " SESSIONNAME ...", "warn\r\n"),
            _ => exited(1, "", "Error 5"),
        });
        let recorder = Recorder::new(&host);
        let server = ServerName::parse("TS01").unwrap();
        recorder
            .run(&Call::QuerySession, Some(&server), Duration::from_secs(1))
            .unwrap();
        recorder
            .run(&Call::QueryUser, None, Duration::from_secs(1))
            .unwrap();
        let about = About {
            version: None,
            language: None,
            windows: false,
        };
        let saved = Saved {
            recorder: &recorder,
            about: &about,
            forced_code_page: Some(850),
            plan: Some(b"{}"),
            check: None,
            exit_code: Some(0),
        };
        let first = Folder::create(&dir).unwrap();
        first.save(&saved).unwrap();
        // The same folder again is refused file by file; a new capture gets the next number.
        assert!(first.save(&saved).is_err());
        let second = Folder::create(&dir).unwrap();
        assert_eq!(second.path, dir.join("capture-0002"));
        second.save(&saved).unwrap();
        let read = |n: &str| std::fs::read(first.path.join(n)).unwrap();
        assert_eq!(read("01-query.stdout"), b" SESSIONNAME ...");
        assert_eq!(read("01-query.stderr"), b"warn\r\n");
        assert_eq!(read("02-query.stderr"), b"Error 5");
        let run: serde_json::Value = serde_json::from_slice(&read("run.json")).unwrap();
        assert_eq!(run["calls"][0]["argv"][1], "/server:TS01");
        assert_eq!(run["calls"][1]["exit_code"], 1);
        assert_eq!(run["code_page"]["forced"], 850);
        assert_eq!(run["plan"], "plan.json");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
