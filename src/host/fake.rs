//! A fake host for unit tests: answers each call with a closure and records the argv of every
//! call, so the stages above the host are tested without running anything.

use super::{Call, Host, HostError, Locality, LogonMode, Process};
use crate::host::runner::{Output, RunError};
use crate::vocab::ServerName;
use crate::vocab::SessionId;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

type Answer = dyn Fn(&Call<'_>, Option<&ServerName>) -> Result<Output, HostError> + Sync;

/// Answers calls with a closure; records `(tool file name, argv)` per call.
pub(crate) struct FakeHost {
    answer: Box<Answer>,
    /// Every call made, in order: the tool's file name and the argv.
    pub(crate) calls: Mutex<Vec<(String, Vec<String>)>>,
    /// What [`Host::own_session`] answers.
    pub(crate) own_session: Option<SessionId>,
    /// Whether a call counts as started only once it is answered: a simulated world that
    /// changes only when it serves a table then sees each call at the moment it starts.
    pub(crate) answer_first: bool,
    /// What [`Host::locality`] answers for a server not in `local`.
    pub(crate) locality: Locality,
    /// Servers [`Host::locality`] answers `Local` for (names ignoring case).
    pub(crate) local: Vec<String>,
    /// What [`Host::addresses`] answers, by server name (ignoring case); a name not listed does
    /// not resolve.
    pub(crate) addresses: Vec<(String, Vec<IpAddr>)>,
    /// What [`Host::own_user`] answers.
    pub(crate) own_user: Option<String>,
    /// What [`Host::logon_mode`] answers (the registry); settable while a test runs.
    pub(crate) logon_mode: Mutex<Option<LogonMode>>,
    /// What [`Host::journal`] answers; `None`: "no journal here".
    pub(crate) journal: Option<PathBuf>,
    /// The processes [`Host::process`] reports running, with their start times.
    pub(crate) processes: Vec<(u32, u64)>,
}

impl FakeHost {
    /// A host that answers every call with `answer`.
    pub(crate) fn new(
        answer: impl Fn(&Call<'_>, Option<&ServerName>) -> Result<Output, HostError> + Sync + 'static,
    ) -> Self {
        FakeHost {
            answer: Box::new(answer),
            calls: Mutex::new(Vec::new()),
            own_session: None,
            answer_first: false,
            locality: Locality::Remote,
            local: Vec::new(),
            addresses: Vec::new(),
            own_user: None,
            logon_mode: Mutex::new(None),
            journal: None,
            processes: Vec::new(),
        }
    }

    /// The argv of every call so far.
    pub(crate) fn argvs(&self) -> Vec<Vec<String>> {
        let calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
        calls.iter().map(|(_, argv)| argv.clone()).collect()
    }
}

/// An output with this exit code and standard output.
pub(crate) fn exited(code: i32, stdout: &str, stderr: &str) -> Result<Output, HostError> {
    Ok(Output {
        code: Some(code),
        stdout: stdout.as_bytes().to_vec(),
        stderr: stderr.as_bytes().to_vec(),
    })
}

/// A call that ran past its timeout.
pub(crate) fn timed_out(timeout: Duration) -> Result<Output, HostError> {
    Err(HostError::Run(RunError::TimedOut {
        program: "fake".to_string(),
        timeout,
        partial: Output::default(),
    }))
}

impl Host for FakeHost {
    fn run(
        &self,
        call: &Call<'_>,
        server: Option<&ServerName>,
        _: Duration,
    ) -> Result<Output, HostError> {
        self.run_noting(call, server, Duration::ZERO, &|| {})
    }

    /// The call is listed, then `started` is called, then the answer is made (or, with
    /// `answer_first`, the answer before `started`): the list holds the calls in the order
    /// they started.
    fn run_noting(
        &self,
        call: &Call<'_>,
        server: Option<&ServerName>,
        _: Duration,
        started: &dyn Fn(),
    ) -> Result<Output, HostError> {
        self.calls
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((call.tool().file_name().to_string(), call.argv(server)));
        if self.answer_first {
            let answer = (self.answer)(call, server);
            started();
            return answer;
        }
        started();
        (self.answer)(call, server)
    }

    fn own_session(&self) -> Option<SessionId> {
        self.own_session
    }

    fn oem_code_page(&self) -> u16 {
        437
    }

    fn locality(&self, server: &ServerName) -> Locality {
        let name = server.as_str();
        if self.local.iter().any(|l| l.eq_ignore_ascii_case(name)) {
            Locality::Local
        } else {
            self.locality
        }
    }

    fn addresses(&self, server: &ServerName) -> Option<Vec<IpAddr>> {
        let name = server.as_str();
        self.addresses
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, a)| a.clone())
    }

    fn own_user(&self) -> Option<String> {
        self.own_user.clone()
    }

    fn logon_mode(&self) -> Option<LogonMode> {
        *self.logon_mode.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn journal(&self) -> Result<PathBuf, String> {
        self.journal
            .clone()
            .ok_or_else(|| "no journal in this test".to_string())
    }

    fn process(&self, pid: u32) -> Process {
        self.processes
            .iter()
            .find(|(p, _)| *p == pid)
            .map_or(Process::Gone, |(_, started)| {
                Process::Running(Some(*started))
            })
    }
}
