//! Review findings 3 and 9 from outside: one computer named twice is refused before anything
//! runs, and no environment variable chooses the programs a run starts.

use crate::common::{assert_calls, TestEnv};
use crate::safety::standin::stderr;

/// Finding 3: `localhost` and `127.0.0.1` (and a short name and its full name, also from a
/// `--servers-file`) are one computer: the run stops with a usage error naming both spellings
/// before `query` runs, in every mode.
#[test]
fn one_computer_named_twice_is_refused_before_anything_runs() {
    let env = TestEnv::new("same-computer");
    env.fake_query("en-2019-mixed.txt", 0);
    env.fake_logoff("");
    let list = env.dir.join("servers.txt");
    std::fs::write(&list, "ts01\n# the same host again\nTS01.corp.invalid\n").unwrap();
    let list = list.to_str().unwrap();
    for (args, a, b) in [
        (
            vec!["-s", "localhost", "-s", "127.0.0.1", "--yes"],
            "localhost",
            "127.0.0.1",
        ),
        (
            vec!["/server:127.0.0.1,localhost", "-n"],
            "127.0.0.1",
            "localhost",
        ),
        (
            vec!["--servers-file", list, "--yes"],
            "ts01",
            "TS01.corp.invalid",
        ),
        (
            vec!["-s", "localhost,127.0.0.2", "--list"],
            "localhost",
            "127.0.0.2",
        ),
    ] {
        let out = env.run(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(16), "{args:?}: {err}");
        assert!(err.contains(&format!("{a} and {b} (")), "{args:?}: {err}");
        assert!(err.contains("give each server once"), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert_calls(&[], &env.calls());
    }
}

/// Different names of different computers still run, each queried once.
#[test]
fn different_servers_are_each_queried_once() {
    let env = TestEnv::new("different-computers");
    env.fake_query("en-2019-mixed.txt", 0);
    env.fake_logoff("");
    let out = env.run(&["-s", "ts01.invalid,ts02.invalid", "-n"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_calls(
        &[
            "query session /server:ts01.invalid",
            "query session /server:ts02.invalid",
        ],
        &env.calls(),
    );
}

/// Finding 9: `LOGOFF_ALL_TOOLS_DIR=.` run from a folder of planted programs does not start
/// them: the variable means nothing, `--tools-dir` is the only override.
#[test]
fn the_old_tools_dir_variable_chooses_no_program() {
    let real = TestEnv::new("tools-from-path");
    real.fake_query("en-2019-console-user.txt", 0);
    let planted = TestEnv::new("tools-planted");
    planted.fake_query("en-2019-console-user.txt", 0);
    planted.fake_logoff("");
    for value in [".".as_ref(), planted.bin.as_os_str()] {
        let out = real
            .command(&["-n"])
            .env("LOGOFF_ALL_TOOLS_DIR", value)
            .current_dir(&planted.bin)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    assert_calls(&["query session", "query session"], &real.calls());
    assert_calls(&[], &planted.calls());
}
