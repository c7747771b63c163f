//! The host: the one seam through which the run touches the machine. Every stock program is
//! called through [`Host::run`] with a [`Call`] (a plain value that knows its argv), and the
//! system lookups (own session, computer names and addresses, OEM code page) come from the same trait, so the
//! stages above it are tested with a fake host and no Windows.

pub(crate) mod about;
pub(crate) mod acl;
pub(crate) mod call;
pub(crate) mod codepage;
pub(crate) mod console;
#[cfg(test)]
pub(crate) mod fake;
pub(crate) mod file_id;
pub(crate) mod runner;
pub(crate) mod state;
pub(crate) mod system;
pub(crate) mod tools;

pub(crate) use call::{Call, LogonMode};
pub(crate) use state::Process;

use crate::vocab::ServerName;
use crate::vocab::SessionId;
use runner::{Output, RunError, Runner};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tools::{Tool, ToolError};

/// A call that did not run to completion.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HostError {
    /// The program is not where it must be.
    #[error(transparent)]
    Tool(#[from] ToolError),
    /// The program could not be started, timed out or printed too much.
    #[error(transparent)]
    Run(#[from] RunError),
}

/// Whether a `--server` names the machine this run is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Locality {
    /// It names this computer: the system's own-session answer applies.
    Local,
    /// It names another computer.
    Remote,
    /// It cannot be told (the name does not resolve, or this computer's addresses are unknown).
    Unknown,
}

/// Everything the run asks of the machine.
pub(crate) trait Host: Sync {
    /// Runs the stock program behind `call` on `server` (`None`: this computer) under `timeout`,
    /// capturing at most the call's output limit.
    fn run(
        &self,
        call: &Call<'_>,
        server: Option<&ServerName>,
        timeout: Duration,
    ) -> Result<Output, HostError>;

    /// As [`Host::run`], calling `started` once the program has started (or failed to start),
    /// before waiting for it: whoever starts calls in an order learns when each one is under
    /// way.
    fn run_noting(
        &self,
        call: &Call<'_>,
        server: Option<&ServerName>,
        timeout: Duration,
        started: &dyn Fn(),
    ) -> Result<Output, HostError> {
        started();
        self.run(call, server, timeout)
    }

    /// The Remote Desktop session this process runs in, asked of the system; `None` where the
    /// system cannot tell (off Windows).
    fn own_session(&self) -> Option<SessionId>;

    /// The OEM code page: the default for decoding what the stock tools print.
    fn oem_code_page(&self) -> u16;

    /// Whether `server` names this computer.
    fn locality(&self, server: &ServerName) -> Locality;

    /// The addresses `server` resolves to (an IP address: itself), in canonical form, looked up
    /// once per run; `None` when it does not resolve.
    fn addresses(&self, server: &ServerName) -> Option<Vec<IpAddr>>;

    /// The user this process runs as (`DOMAIN\user` or `user`), when the system tells it.
    fn own_user(&self) -> Option<String>;

    /// The logon mode read from the registry values `change logon` sets, whatever the display
    /// language; `None` off Windows or when they cannot be read.
    fn logon_mode(&self) -> Option<LogonMode>;

    /// The drain journal: a file where only administrators can write (on Windows
    /// `%ProgramData%\logoff-all\drain.json`); `Err` says why there is none.
    fn journal(&self) -> Result<PathBuf, String>;

    /// Whether process `pid` of this computer runs, and when it started.
    fn process(&self, pid: u32) -> Process;

    /// This computer's name, for the audit log's run line; `None` where it is not known.
    fn computer_name(&self) -> Option<String> {
        None
    }
}

/// The real host: tools from the system folder (or `--tools-dir`), each resolved once per run,
/// run through a [`Runner`].
pub(crate) struct SystemHost<R: Runner> {
    runner: R,
    tools_dir: Option<PathBuf>,
    /// Set by a second Ctrl-C: the calls that only read or tell ([`Call::may_be_cut`]) are
    /// stopped, or not started.
    hurry: Option<Arc<AtomicBool>>,
    resolved: [OnceLock<Result<PathBuf, ToolError>>; Tool::ALL.len()],
}

impl<R: Runner> SystemHost<R> {
    /// A host that runs programs through `runner`, taking them from `tools_dir` when given,
    /// otherwise from the system folder.
    pub(crate) fn new(runner: R, tools_dir: Option<&Path>) -> Self {
        SystemHost {
            runner,
            tools_dir: tools_dir.map(Path::to_path_buf),
            hurry: None,
            resolved: Default::default(),
        }
    }

    /// This host, cutting short the calls that only read or tell once `hurry` is set.
    pub(crate) fn hurried_by(mut self, hurry: Arc<AtomicBool>) -> Self {
        self.hurry = Some(hurry);
        self
    }

    /// Where `tool` is, found once and remembered for the rest of the run.
    pub(crate) fn locate(&self, tool: Tool) -> Result<&Path, ToolError> {
        self.resolved[tool as usize]
            .get_or_init(|| tools::locate(tool, self.tools_dir.as_deref()))
            .as_deref()
            .map_err(Clone::clone)
    }
}

impl<R: Runner> Host for SystemHost<R> {
    fn run(
        &self,
        call: &Call<'_>,
        server: Option<&ServerName>,
        timeout: Duration,
    ) -> Result<Output, HostError> {
        self.run_noting(call, server, timeout, &|| {})
    }

    fn run_noting(
        &self,
        call: &Call<'_>,
        server: Option<&ServerName>,
        timeout: Duration,
        started: &dyn Fn(),
    ) -> Result<Output, HostError> {
        let program = match self.locate(call.tool()) {
            Ok(program) => program,
            Err(e) => {
                started();
                return Err(e.into());
            }
        };
        let hurry = self.hurry.as_deref().filter(|_| call.may_be_cut());
        let cut = || hurry.is_some_and(|h| h.load(Ordering::SeqCst));
        let watch = runner::Watch {
            started,
            cut: hurry.map(|_| &cut as &dyn Fn() -> bool),
        };
        let (argv, limit) = (call.argv(server), call.output_limit());
        Ok(self
            .runner
            .watched(program, &argv, timeout, limit, &watch)?)
    }

    fn own_session(&self) -> Option<SessionId> {
        system::own_session()
    }

    fn oem_code_page(&self) -> u16 {
        system::oem_code_page()
    }

    fn locality(&self, server: &ServerName) -> Locality {
        system::locality(server)
    }

    fn addresses(&self, server: &ServerName) -> Option<Vec<IpAddr>> {
        system::addresses(server)
    }

    fn own_user(&self) -> Option<String> {
        system::own_user()
    }

    fn logon_mode(&self) -> Option<LogonMode> {
        state::logon_mode()
    }

    fn journal(&self) -> Result<PathBuf, String> {
        #[cfg(windows)]
        {
            state::admin_state_dir().map(|d| d.join("drain.json"))
        }
        #[cfg(not(windows))]
        {
            // Off Windows (tests with stand-in tools) it lies beside the `change` in use.
            let change = self.locate(Tool::Change).map_err(|e| e.to_string())?;
            let dir = change.parent().ok_or("the folder of change is not known")?;
            Ok(dir.join("logoff-all-drain.json"))
        }
    }

    fn process(&self, pid: u32) -> Process {
        state::process(pid)
    }

    fn computer_name(&self) -> Option<String> {
        system::computer_names().into_iter().next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Records what it was asked to run.
    struct Recorder(Mutex<Vec<(String, Vec<String>, usize)>>);

    impl Runner for Recorder {
        fn run(
            &self,
            program: &Path,
            args: &[String],
            _: Duration,
            max_output: usize,
        ) -> Result<Output, RunError> {
            let name = program.file_name().unwrap().to_string_lossy().into_owned();
            self.0
                .lock()
                .unwrap()
                .push((name, args.to_vec(), max_output));
            Ok(Output::default())
        }
    }

    #[test]
    fn calls_run_the_tool_from_the_tools_folder_with_their_argv_and_limit() {
        let dir = std::env::temp_dir().join(format!("logoff-all-host-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for tool in [Tool::Query, Tool::Logoff] {
            std::fs::write(dir.join(tool.file_name()), b"").unwrap();
        }
        let host = SystemHost::new(Recorder(Mutex::new(Vec::new())), Some(&dir));
        let server = ServerName::parse("TS01").unwrap();
        host.run(&Call::QuerySession, Some(&server), Duration::from_secs(1))
            .unwrap();
        host.run(
            &Call::Logoff(SessionId::new(4)),
            None,
            Duration::from_secs(1),
        )
        .unwrap();
        let missing = host.run(
            &Call::Msg {
                id: SessionId::new(4),
                seconds: 60,
                message: "bye",
            },
            None,
            Duration::from_secs(1),
        );
        assert!(matches!(
            missing,
            Err(HostError::Tool(ToolError::Missing { .. }))
        ));
        let calls = host.runner.0.lock().unwrap().clone();
        assert_eq!(
            calls,
            [
                (
                    Tool::Query.file_name().to_string(),
                    vec!["session".to_string(), "/server:TS01".to_string()],
                    runner::QUERY_OUTPUT_LIMIT
                ),
                (
                    Tool::Logoff.file_name().to_string(),
                    vec!["4".to_string()],
                    runner::TOOL_OUTPUT_LIMIT
                ),
            ]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
