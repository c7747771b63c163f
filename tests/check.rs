//! `--check` under stand-in tools that are understood, not understood, missing, slow or
//! refusing: the verdict per feature, its exit code, and that it runs nothing but
//! `query session`, `query user` and `change logon /query`. `--save-capture` keeps every output,
//! and scripts/capture-to-fixture turns a capture into a real fixture that tests/real.rs passes
//! once its draft label is confirmed.
#![cfg(unix)]

use crate::common::{fixtures, TestEnv};
use std::path::Path;
use std::process::Output;

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A stand-in `query` printing `session` for `query session` and `user` for `query user`
/// (fixture names), recording its calls.
fn query(env: &TestEnv, session: &str, user: &str) {
    let log = env.dir.join("calls.log");
    env.script(
        "query",
        &format!(
            "echo \"query $*\" >> '{}'\nif [ \"$1\" = user ]; then cat '{}'; else cat '{}'; fi",
            log.display(),
            fixtures().join(user).display(),
            fixtures().join(session).display()
        ),
    );
}

/// Every stand-in a run with every feature needs.
fn all_tools(env: &TestEnv) {
    query(env, "en-2019-mixed.txt", "quser-en-mixed.txt");
    for tool in ["logoff", "msg", "eventcreate", "tsdiscon", "reset"] {
        env.fake_tool(tool, "");
    }
    env.fake_change("enable", &[]);
}

fn check(env: &TestEnv, flags: &[&str]) -> Output {
    let dir = env.bin.display().to_string();
    let mut args = vec!["--check", "--tools-dir", &dir];
    args.extend_from_slice(flags);
    env.run(&args)
}

fn assert_verdict(out: &Output, code: i32, says: &str) {
    let text = stdout(out);
    assert_eq!(
        out.status.code(),
        Some(code),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains(says), "expected {says:?} in:\n{text}");
}

const READ_ONLY: [&str; 3] = ["query session", "query user", "change logon /query"];

#[test]
fn understood_tools_give_exit_0_and_only_reads_are_run() {
    let env = TestEnv::new("check-ok");
    all_tools(&env);
    let flags = [
        "--warn",
        "bye",
        "--event-log",
        "--reset-stuck",
        "--drain",
        "--idle-over",
        "1h",
    ];
    let out = check(&env, &flags);
    assert_verdict(
        &out,
        0,
        "verdict: everything these flags need will work here",
    );
    let text = stdout(&out);
    for says in [
        "query session understood: 8 session(s)",
        "query user understood",
        "logon mode: enabled",
        "--warn: msg at",
        "--event-log: eventcreate at",
        "--reset-stuck: reset at",
        "--drain: change at",
        "logging off: logoff at",
    ] {
        assert!(text.contains(says), "{says}: {text}");
    }
    let calls = env.calls();
    assert!(
        calls.iter().all(|c| READ_ONLY.contains(&c.as_str())),
        "{calls:?}"
    );
    assert_eq!(env.logon_mode(), "enable");
}

#[test]
fn output_not_understood_gives_exit_4_and_says_what_to_send() {
    let env = TestEnv::new("check-garbage");
    all_tools(&env);
    query(&env, "garbage-binary.txt", "quser-en-mixed.txt");
    let out = check(&env, &[]);
    assert_verdict(&out, 4, "--save-capture");
    assert!(
        stdout(&out).contains("PROBLEM query session"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn query_user_not_understood_matters_only_to_idle_over() {
    let env = TestEnv::new("check-quser");
    all_tools(&env);
    query(&env, "en-2019-mixed.txt", "garbage-binary.txt");
    let out = check(&env, &["--idle-over", "2h"]);
    assert_verdict(&out, 4, "--idle-over would skip every session");
    let out = check(&env, &[]);
    assert_verdict(&out, 0, "only --idle-over and --list need it");
}

#[test]
fn a_missing_tool_is_named_for_the_flag_that_needs_it() {
    for (flag, tool) in [
        (&["--warn", "bye"][..], "--warn needs msg"),
        (&["--event-log"][..], "--event-log needs eventcreate"),
        (&["--disconnect"][..], "--disconnect needs tsdiscon"),
        (&["--reset-stuck"][..], "--reset-stuck needs reset"),
        (&["--drain"][..], "--drain needs change"),
        (&[][..], "logging off needs logoff"),
    ] {
        let env = TestEnv::new("check-missing");
        query(&env, "en-2019-mixed.txt", "quser-en-mixed.txt");
        let out = check(&env, flag);
        assert_verdict(&out, 16, tool);
        // Without the flag (and as a dry run) the same folder passes.
        if !flag.is_empty() {
            assert_eq!(
                check(&env, &["--dry-run"]).status.code(),
                Some(0),
                "{flag:?}"
            );
        }
    }
}

#[test]
fn a_slow_query_gives_exit_2_with_the_timeout() {
    let env = TestEnv::new("check-slow");
    all_tools(&env);
    env.script("query", "sleep 5");
    let out = check(&env, &["--timeout", "1s", "--dry-run"]);
    assert_verdict(&out, 2, "did not answer within 1 s");
}

#[test]
fn a_refusing_query_gives_exit_2_with_its_words() {
    let env = TestEnv::new("check-refused");
    all_tools(&env);
    env.script(
        "query",
        "echo 'Error 5 getting Session Names' >&2; echo 'Access is denied.' >&2; exit 1",
    );
    let out = check(&env, &["--dry-run"]);
    assert_verdict(&out, 2, "Access is denied");
}

#[test]
fn drain_needs_a_readable_logon_mode_and_this_computer() {
    let env = TestEnv::new("check-drain");
    all_tools(&env);
    env.fake_change("enable", &["/query"]);
    let out = check(&env, &["--drain"]);
    assert_verdict(&out, 2, "--drain needs a readable logon mode");
    env.fake_change("something new", &[]);
    let out = check(&env, &["--drain"]);
    assert_verdict(&out, 4, "not a logon mode this version knows");
    // Without --drain the same is only worth knowing.
    assert_eq!(check(&env, &[]).status.code(), Some(0));
    env.fake_change("enable", &[]);
    let out = check(&env, &["--drain", "--server", "ts99.invalid"]);
    assert_verdict(&out, 16, "--drain works on this computer only");
    let calls = env.calls();
    assert!(
        calls
            .iter()
            .all(|c| READ_ONLY.iter().any(|r| c.starts_with(r))),
        "{calls:?}"
    );
}

#[test]
fn a_missing_log_folder_is_a_problem() {
    let env = TestEnv::new("check-log");
    all_tools(&env);
    let log = env.dir.join("no-such-folder").join("audit.jsonl");
    let out = check(&env, &["--log", &log.display().to_string()]);
    assert_verdict(&out, 16, "the --log folder");
    let log = env.dir.join("audit.jsonl");
    let out = check(&env, &["--log", &log.display().to_string()]);
    assert_verdict(&out, 0, "permissions not checked (not Windows)");
    assert!(!log.exists(), "--check wrote the log");
}

fn run_json(folder: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(folder.join("run.json")).unwrap()).unwrap()
}

#[test]
fn a_capture_keeps_every_output_and_never_overwrites() {
    let env = TestEnv::new("check-capture");
    all_tools(&env);
    let caps = env.dir.join("caps");
    let caps_arg = caps.display().to_string();
    let out = check(&env, &["--save-capture", &caps_arg, "--idle-over", "1h"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let first = caps.join("capture-0001");
    let run = run_json(&first);
    assert_eq!(run["exit_code"], 0);
    assert_eq!(run["calls"][0]["argv"][0], "session");
    assert_eq!(
        std::fs::read(first.join("01-query.stdout")).unwrap(),
        std::fs::read(fixtures().join("en-2019-mixed.txt")).unwrap()
    );
    let plan: serde_json::Value =
        serde_json::from_slice(&std::fs::read(first.join("plan.json")).unwrap()).unwrap();
    assert_eq!(plan["mode"], "dry_run");
    assert!(std::fs::read_to_string(first.join("check.txt"))
        .unwrap()
        .contains("verdict"));
    // A second capture goes to a new folder; the first is untouched.
    let before = std::fs::read(first.join("run.json")).unwrap();
    let out = check(&env, &["--save-capture", &caps_arg]);
    assert_eq!(out.status.code(), Some(0));
    assert!(caps.join("capture-0002").join("run.json").is_file());
    assert_eq!(std::fs::read(first.join("run.json")).unwrap(), before);
    // A run that acts is captured too, with its report as the plan.
    let out = env.run(&[
        "--tools-dir",
        &env.bin.display().to_string(),
        "--yes",
        "--verify-wait",
        "0",
        "--save-capture",
        &caps_arg,
    ]);
    assert!(out.status.code().is_some());
    let third = run_json(&caps.join("capture-0003"));
    assert_eq!(third["plan"], "plan.json");
    assert!(third["calls"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["tool"] == "logoff"));
    // A DIR that cannot be made is a setup error before anything runs.
    let file = env.dir.join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let out = check(&env, &["--save-capture", &file.display().to_string()]);
    assert_eq!(out.status.code(), Some(16));
}

/// A capture made under stand-ins becomes a fixture in a copy of fixtures/real; its draft
/// label fails tests/real.rs until confirmed, then passes.
#[test]
fn a_capture_becomes_a_real_fixture_that_passes_once_confirmed() {
    let env = TestEnv::new("check-fixture");
    all_tools(&env);
    let caps = env.dir.join("caps");
    let out = check(
        &env,
        &["--dry-run", "--save-capture", &caps.display().to_string()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let real = env.dir.join("real");
    std::fs::create_dir_all(&real).unwrap();
    for entry in std::fs::read_dir(fixtures().join("real")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), real.join(entry.file_name())).unwrap();
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/capture-to-fixture");
    let name = "f-001-standin-en-2019-mixed";
    let run = |extra: &[&str]| {
        std::process::Command::new("python3")
            .arg(&script)
            .arg(caps.join("capture-0001"))
            .arg(name)
            .arg("--fixtures")
            .arg(&real)
            .args(extra)
            .output()
            .unwrap()
    };
    let made = run(&[]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    // Never twice.
    assert!(!run(&[]).status.success());
    let file = format!("{name}.txt");
    assert_eq!(
        std::fs::read(real.join(&file)).unwrap(),
        std::fs::read(fixtures().join("en-2019-mixed.txt")).unwrap()
    );
    let readme = std::fs::read_to_string(real.join("README.md")).unwrap();
    assert!(readme.contains(&format!("| {file} |")), "{readme}");
    let mut labels: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&std::fs::read(real.join("labels.json")).unwrap()).unwrap();
    let label = labels.get_mut(&file).unwrap();
    assert!(label.get("draft").is_some());
    assert_eq!(label["kind"], "session");
    // What a person confirms by reading the file: the users' sessions 3-6 are logged off.
    assert_eq!(label["logoff_ids"], serde_json::json!([3, 4, 5, 6]));
    label.as_object_mut().unwrap().remove("draft");
    let bytes = std::fs::read(real.join(&file)).unwrap();
    crate::real::check_session(&file, label, &bytes).unwrap();
}

/// The `--check` verdict is a report too: one that cannot be written (a full disk) is said on
/// stderr with exit bit 32, after the verdict's own bits.
#[cfg(target_os = "linux")]
#[test]
fn a_check_report_that_cannot_be_written_sets_bit_32() {
    let env = TestEnv::new("check-full");
    all_tools(&env);
    let dir = env.bin.display().to_string();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = env
        .command(&["--check", "--tools-dir", &dir])
        .stdout(full)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(32), "{err}");
    assert!(
        err.contains("the --check report could not be written to standard output"),
        "{err}"
    );
}
