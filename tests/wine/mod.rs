//! End to end under Wine: the real Windows executables (the Windows 7+ build and the Windows
//! 10+ build) with the project's stand-ins for query.exe / logoff.exe / msg.exe installed in a
//! fresh prefix's system32, and no path overrides.
//!
//! Ignored by plain `cargo test`; `scripts/test-all` builds the exes (scripts/build-windows)
//! and runs `cargo test --test tests -- --ignored wine::`. Paths can be overridden with
//! LOGOFF_ALL_E2E_EXES (colon-separated), LOGOFF_ALL_E2E_STANDIN, LOGOFF_ALL_E2E_PRNG_DLL.
#![cfg(unix)]

mod check;
mod codepages;
mod drain;
mod journal;
mod runs;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const WINE: &str = "/usr/lib/wine/wine64";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn env_path(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var).map_or_else(|| repo().join(default), PathBuf::from)
}

/// The executables under test.
fn exes() -> Vec<PathBuf> {
    let list = std::env::var("LOGOFF_ALL_E2E_EXES").unwrap_or_else(|_| {
        let d = repo().join("dist");
        format!(
            "{}:{}",
            d.join("logoff-all-win7-x64.exe").display(),
            d.join("logoff-all-x64.exe").display()
        )
    });
    let exes: Vec<PathBuf> = list.split(':').map(PathBuf::from).collect();
    for exe in &exes {
        assert!(
            exe.is_file(),
            "{} missing: run scripts/build-windows",
            exe.display()
        );
    }
    exes
}

fn standin() -> PathBuf {
    env_path("LOGOFF_ALL_E2E_STANDIN", "target/e2e/standin.exe")
}

/// A Windows path for a Unix one (Wine maps Z: to /).
fn win(path: &Path) -> String {
    format!("Z:{}", path.display()).replace('/', "\\")
}

/// The prefix most scenarios share, made once for this test process.
fn prefix() -> &'static Path {
    static PREFIX: OnceLock<PathBuf> = OnceLock::new();
    PREFIX.get_or_init(|| new_prefix(""))
}

/// A fresh prefix named by `tag`: wineboot, then the stand-ins into system32. A static is never
/// dropped, so the prefixes of earlier runs whose process has ended are removed here instead.
fn new_prefix(tag: &str) -> PathBuf {
    remove_prefixes_of_ended_runs();
    let dir = std::env::temp_dir().join(format!("logoff-all-wine-{}{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let status = Command::new(WINE)
        .args(["wineboot", "-i"])
        .env("WINEPREFIX", &dir)
        .env("WINEDEBUG", "-all")
        .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("wine64 runs (apt-get install wine64)");
    assert!(status.success(), "wineboot failed");
    let system32 = dir.join("drive_c/windows/system32");
    assert!(system32.is_dir(), "prefix has no system32");
    for tool in ["query", "logoff", "msg", "eventcreate", "change"] {
        std::fs::copy(standin(), system32.join(format!("{tool}.exe"))).unwrap();
    }
    // The Windows 10+ build imports ProcessPrng from bcryptprimitives.dll, which Wine 8
    // lacks: a test-only stand-in forwards it to BCryptGenRandom.
    std::fs::copy(
        env_path("LOGOFF_ALL_E2E_PRNG_DLL", "target/e2e/bcryptprimitives.dll"),
        system32.join("bcryptprimitives.dll"),
    )
    .unwrap();
    dir
}

fn remove_prefixes_of_ended_runs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        // `logoff-all-wine-PID` or `logoff-all-wine-PID-TAG`.
        let pid = name
            .to_str()
            .and_then(|n| n.strip_prefix("logoff-all-wine-"))
            .map(|n| n.split('-').next().unwrap_or(n));
        if let Some(pid) = pid.filter(|p| p.bytes().all(|b| b.is_ascii_digit())) {
            if !Path::new("/proc").join(pid).exists() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// One scenario: its own call log and answers, in the shared prefix unless `prefix` names
/// another.
struct Case {
    dir: PathBuf,
    vars: Vec<(String, String)>,
    prefix: Option<&'static Path>,
}

impl Case {
    fn new(name: &str, fixture: &str) -> Case {
        let dir = std::env::temp_dir().join(format!(
            "logoff-all-e2e-{}-{name}-{}",
            std::process::id(),
            Instant::now().elapsed().as_nanos() ^ rand_ish()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let mut case = Case {
            dir,
            vars: Vec::new(),
            prefix: None,
        };
        let log = case.dir.join("calls.log");
        case.set("STANDIN_LOG", &win(&log));
        case.set(
            "STANDIN_QUERY_FILE",
            &win(&crate::common::fixtures().join(fixture)),
        );
        case
    }

    fn set(&mut self, k: &str, v: &str) -> &mut Case {
        self.vars.push((k.to_string(), v.to_string()));
        self
    }

    /// The prefix this case runs in.
    fn prefix(&self) -> &'static Path {
        self.prefix.unwrap_or_else(prefix)
    }

    /// `exe` under Wine from `cwd` (default: the case's folder), with the case's answers, its
    /// call log started afresh.
    fn command(&self, exe: &Path, cwd: Option<&Path>, args: &[&str]) -> Command {
        let _ = std::fs::remove_file(self.dir.join("calls.log"));
        // The sessions the stand-in logoff ended in an earlier run are listed again.
        let _ = std::fs::remove_file(self.dir.join("calls.log.gone"));
        let mut cmd = Command::new(WINE);
        cmd.arg(exe)
            .args(args)
            .current_dir(cwd.unwrap_or(&self.dir))
            .env("WINEPREFIX", self.prefix())
            .env("WINEDEBUG", "-all")
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .env("LANG", "en_US.UTF-8")
            .env("LC_ALL", "en_US.UTF-8");
        for (k, v) in &self.vars {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs `exe` under Wine from `cwd` (default: the case's folder).
    fn run_in(&self, exe: &Path, cwd: Option<&Path>, args: &[&str]) -> Output {
        self.command(exe, cwd, args).output().expect("wine64 runs")
    }

    fn run(&self, exe: &Path, args: &[&str]) -> Output {
        self.run_in(exe, None, args)
    }

    /// Recorded calls as (exe path, arguments).
    fn calls(&self) -> Vec<(String, String)> {
        std::fs::read_to_string(self.dir.join("calls.log"))
            .unwrap_or_default()
            .lines()
            .map(|l| {
                let (exe, args) = l.split_once('|').unwrap();
                (exe.to_ascii_lowercase(), args.trim_end().to_string())
            })
            .collect()
    }

    /// Recorded calls as "tool args", checking each ran from system32.
    fn system32_calls(&self) -> Vec<String> {
        self.calls()
            .into_iter()
            .map(|(exe, args)| {
                let tool = exe
                    .strip_prefix("c:\\windows\\system32\\")
                    .unwrap_or_else(|| panic!("{exe} is not in system32"))
                    .trim_end_matches(".exe")
                    .to_string();
                format!("{tool} {args}").trim_end().to_string()
            })
            .collect()
    }
}

impl Drop for Case {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn rand_ish() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

fn text(out: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn json(out: &Output) -> Value {
    crate::common::json(out)
}

#[test]
#[ignore = "needs Wine and the Windows builds: scripts/test-all"]
fn mixed_fixture_logs_off_in_order_from_system32_with_failure_reported() {
    for exe in exes() {
        let mut case = Case::new("mixed", "en-2019-mixed.txt");
        case.set("STANDIN_LOGOFF_5", "fail:Error [5]:Access is denied.");
        let out = case.run(
            &exe,
            &["--parallel", "1", "--include-self", "--format", "json"],
        );
        crate::common::assert_lines(crate::common::MIXED_CALLS_WITH_SELF, &case.system32_calls());
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}: {}",
            exe.display(),
            text(&out)
        );
        let report = json(&out);
        let failed: Vec<&Value> = report["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["outcome"] == "failed")
            .collect();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0]["id"], 5);
        assert!(failed[0]["message"]
            .as_str()
            .unwrap()
            .contains("Access is denied"));
    }
}

#[test]
#[ignore = "needs Wine and the Windows builds: scripts/test-all"]
fn own_session_comes_from_the_system_and_goes_last() {
    // Wine runs programs in session 1: "John Smith" (1) is ours though no `>` marks it.
    for exe in exes() {
        let case = Case::new("own", "en-names-with-spaces.txt");
        let out = case.run(&exe, &[]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        crate::common::assert_calls(
            &["query session", "logoff 2", "logoff 3", "query session"],
            &case.system32_calls(),
        );
        let out = case.run(&exe, &["--include-self", "--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        crate::common::assert_calls(
            &[
                "query session",
                "logoff 2",
                "logoff 3",
                "query session",
                // Own sessions (1 from the system, 4 marked `>`) after everything else, each
                // after one more look at the table.
                "query session",
                "logoff 1",
                "query session",
                "logoff 4",
            ],
            &case.system32_calls(),
        );
        assert_eq!(json(&out)["sessions"][0]["current"], true);
    }
}
