//! One helper for CLI tests: runs the built binary with a pinned environment, optionally with
//! fake `query` / `logoff` programs (shell scripts) in a private folder first on PATH.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository's fixtures folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// A private folder with fake tools, removed on drop.
pub struct TestEnv {
    pub dir: PathBuf,
    pub bin: PathBuf,
}

/// The awk program behind [`TestEnv::print_table`]: after the header (the first line holding
/// the word `ID`), a row's first all-digit word is its session ID (true of every table the
/// tests print: session and user names there are never all digits).
const TABLE_AWK: &str = r#"
BEGIN { while ((getline g < gonefile) > 0) gone[g] = 1 }
!header {
    if ($0 ~ / ID( |\r|$)/) header = 1
    print
    next
}
{
    for (i = 1; i <= NF; i++) {
        if ($i ~ /^[0-9]+$/) {
            if (($i " " server) in gone) next
            break
        }
    }
    print
}
"#;

impl TestEnv {
    pub fn new(name: &str) -> TestEnv {
        let dir = std::env::temp_dir().join(format!(
            "logoff-all-test-{}-{}-{name}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        let bin = dir.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        TestEnv { dir, bin }
    }

    /// Writes an executable shell script into the fake bin folder.
    #[cfg(unix)]
    pub fn script(&self, name: &str, body: &str) {
        use std::os::unix::fs::PermissionsExt;
        let path = self.bin.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// The file where the fake `logoff` notes the sessions it ended, one `ID /server:NAME` (or
    /// `ID `) per line.
    pub fn gone_file(&self) -> PathBuf {
        self.dir.join("gone")
    }

    /// A shell command that prints `file` without the rows of sessions the fake `logoff` ended
    /// on the server the script was asked about (its `$2`), as a real host stops listing a
    /// session once it is logged off. Output without a header is printed as it is.
    pub fn print_table(&self, file: &Path) -> String {
        let program = self.dir.join("table.awk");
        std::fs::write(&program, TABLE_AWK).unwrap();
        format!(
            "LC_ALL=C awk -v gonefile='{}' -v server=\"$2\" -f '{}' '{}'",
            self.gone_file().display(),
            program.display(),
            file.display()
        )
    }

    /// A fake `query` that prints a fixture's bytes without the sessions the fake `logoff`
    /// ended (and records its arguments).
    #[cfg(unix)]
    pub fn fake_query(&self, fixture: &str, exit: i32) {
        let log = self.dir.join("calls.log");
        self.script(
            "query",
            &format!(
                "echo \"query $*\" >> '{}'\n{}\nexit {exit}",
                log.display(),
                self.print_table(&fixtures().join(fixture))
            ),
        );
    }

    /// A fake `logoff` that records its arguments, then runs `per_id` (a `case "$1" in ...`
    /// body) to answer. When the body does not exit, the session is ended: the fake `query`
    /// no longer lists it, and `logoff` exits 0.
    #[cfg(unix)]
    pub fn fake_logoff(&self, per_id: &str) {
        let log = self.dir.join("calls.log");
        self.script(
            "logoff",
            &format!(
                "echo \"logoff $*\" >> '{}'\ncase \"$1\" in\n{per_id}\nesac\necho \"$1 $2\" >> '{}'\nexit 0",
                log.display(),
                self.gone_file().display()
            ),
        );
    }

    /// A fake `query` whose k-th `query session` prints `sessions[k]` (the last one from then
    /// on) and whose `query user` prints `users`, or says "No User exists for *" on stderr with
    /// exit code 1 when `users` is `None`.
    #[cfg(unix)]
    pub fn fake_query_sequence(&self, sessions: &[&str], users: Option<&str>) {
        let log = self.dir.join("calls.log");
        let count = self.dir.join("session-calls");
        let mut cases = String::new();
        for (i, f) in sessions.iter().enumerate() {
            let pattern = if i + 1 == sessions.len() {
                "*".to_string()
            } else {
                (i + 1).to_string()
            };
            cases.push_str(&format!(
                "    {pattern}) {} ;;\n",
                self.print_table(&fixtures().join(f))
            ));
        }
        let user = match users {
            Some(f) => format!("cat '{}'", fixtures().join(f).display()),
            None => "echo 'No User exists for *' >&2; exit 1".to_string(),
        };
        self.script(
            "query",
            &format!(
                "echo \"query $*\" >> '{log}'\n\
                 if [ \"$1\" = user ]; then {user}; exit 0; fi\n\
                 n=$(( $(cat '{count}' 2>/dev/null || echo 0) + 1 )); echo $n > '{count}'\n\
                 case $n in\n{cases}esac",
                log = log.display(),
                count = count.display(),
            ),
        );
    }

    /// A fake tool (`msg`, `eventcreate`, ...) that records its arguments and answers per
    /// first argument with `per_arg` (a `case "$1" in ...` body); exit 0 by default.
    #[cfg(unix)]
    pub fn fake_tool(&self, name: &str, per_arg: &str) {
        let log = self.dir.join("calls.log");
        self.script(
            name,
            &format!(
                "echo \"{name} $*\" >> '{}'\ncase \"$1\" in\n{per_arg}\nesac\nexit 0",
                log.display()
            ),
        );
    }

    /// A stand-in `change` that keeps the logon mode in a file (starting at `mode`: enable,
    /// disable, drain or drainuntilrestart), prints it in English for `change logon /query`,
    /// records its arguments, and fails the switches named in `failing` (e.g. "/drain"; with
    /// ":hang", e.g. "/drain:hang", it sleeps 5 seconds first, for timeouts).
    #[cfg(unix)]
    pub fn fake_change(&self, mode: &str, failing: &[&str]) {
        let log = self.dir.join("calls.log");
        let state = self.dir.join("logon-mode");
        std::fs::write(&state, mode).unwrap();
        let mut fail = String::new();
        for f in failing {
            let (switch, hang) = match f.strip_suffix(":hang") {
                Some(s) => (s, "sleep 5; "),
                None => (*f, ""),
            };
            fail.push_str(&format!(
                "if [ \"$2\" = {switch} ]; then {hang}echo 'Error 5: Access is denied.' >&2; \
                 exit 1; fi\n"
            ));
        }
        self.script(
            "change",
            &format!(
                "echo \"change $*\" >> '{log}'\n{fail}\
                 case \"$2\" in\n\
                 /query) case $(cat '{state}') in\n\
                   enable) echo 'Connections are currently ENABLED' ;;\n\
                   disable) echo 'Connections are currently DISABLED' ;;\n\
                   drain) echo 'New user logons are DISABLED, but reconnections to existing sessions are ENABLED' ;;\n\
                   drainuntilrestart) echo 'New user logons are DISABLED, but reconnections to existing sessions are ENABLED until the server is restarted' ;;\n\
                   *) cat '{state}' ;;\n\
                 esac ;;\n\
                 /enable) echo enable > '{state}' ;;\n\
                 /disable) echo disable > '{state}' ;;\n\
                 /drain) echo drain > '{state}' ;;\n\
                 /drainuntilrestart) echo drainuntilrestart > '{state}' ;;\n\
                 *) echo 'Invalid parameter(s)' >&2; exit 1 ;;\n\
                 esac",
                log = log.display(),
                state = state.display(),
            ),
        );
    }

    /// The logon mode the stand-in `change` holds now.
    pub fn logon_mode(&self) -> String {
        std::fs::read_to_string(self.dir.join("logon-mode"))
            .unwrap_or_default()
            .trim()
            .to_string()
    }

    /// The command line of [`TestEnv::run`], not started, for tests that signal the child.
    pub fn command(&self, args: &[&str]) -> Command {
        let path = std::env::join_paths(std::iter::once(self.bin.clone()).chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ))
        .unwrap();
        let mut cmd = command(args);
        cmd.env("PATH", path);
        cmd
    }

    /// Every recorded call, in order.
    pub fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.join("calls.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Runs the binary with the fake bin folder first on PATH.
    pub fn run(&self, args: &[&str]) -> Output {
        let path = std::env::join_paths(std::iter::once(self.bin.clone()).chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ))
        .unwrap();
        let mut cmd = command(args);
        cmd.env("PATH", path);
        cmd.output().unwrap()
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The binary with a pinned environment (locale and computer-name variables removed by name).
pub fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_logoff-all"));
    cmd.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    for var in ["LANG", "LC_ALL", "LC_CTYPE", "COMPUTERNAME"] {
        cmd.env_remove(var);
    }
    cmd
}

/// Runs the binary without fakes.
pub fn run(args: &[&str]) -> Output {
    command(args).output().unwrap()
}

/// Parses the JSON report from standard output, with the whole output in the panic message.
pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The calls for `fixtures/en-2019-mixed.txt` with `--include-self` when the logoff of 5
/// fails: the users in table order, the table read again after the failure, the own session (2)
/// last, and one more look that finds the ended sessions gone.
pub const MIXED_CALLS_WITH_SELF: &[&str] = &[
    "query session",
    "logoff 3",
    "logoff 4",
    "logoff 5",
    "query session",
    "logoff 6",
    "query session",
    "query session",
    "logoff 2",
];

/// Asserts that the calls are `expected`, where the stand-ins of logoffs started one after the
/// other (which `--parallel` runs at once) may have noted themselves in any order: within each
/// run of consecutive `logoff` or `tsdiscon` lines the order is not compared. A test of the
/// strict order passes `--parallel 1` and uses [`assert_lines`].
pub fn assert_calls(expected: &[&str], actual: &[String]) {
    fn settled(lines: impl Iterator<Item = String>) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut run: Vec<String> = Vec::new();
        for line in lines {
            if line.starts_with("logoff ") || line.starts_with("tsdiscon ") {
                run.push(line);
                continue;
            }
            run.sort_unstable();
            out.append(&mut run);
            out.push(line);
        }
        run.sort_unstable();
        out.append(&mut run);
        out
    }
    let expected = settled(expected.iter().map(|l| l.to_string()));
    let actual = settled(actual.iter().cloned());
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    assert_lines(&expected, &actual);
}

/// Asserts two line lists are equal, printing a line diff when they are not.
pub fn assert_lines(expected: &[&str], actual: &[String]) {
    if expected
        .iter()
        .copied()
        .ne(actual.iter().map(String::as_str))
    {
        let mut diff = String::new();
        for i in 0..expected.len().max(actual.len()) {
            let e = expected.get(i).copied().unwrap_or("<none>");
            let a = actual.get(i).map(String::as_str).unwrap_or("<none>");
            let mark = if e == a { " " } else { "!" };
            diff.push_str(&format!("{mark} expected: {e}\n{mark} actual:   {a}\n"));
        }
        panic!("lines differ:\n{diff}");
    }
}

/// Reads a CSV report strictly (every row as long as the header, RFC 4180 quoting); returns
/// the header and the rows. A leading BOM is refused here: callers strip the one they expect.
pub fn read_csv(bytes: &[u8]) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader.records().map(|r| r.unwrap()).collect();
    (header, rows)
}
