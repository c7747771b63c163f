//! The caller's own session goes after everything else: every server, the verification, the
//! report, the audit log and the logon-mode restore. Ending it ends the program, so a stand-in
//! `logoff` that kills its parent for that session shows nothing was left undone.

use crate::common::{assert_lines, json, TestEnv};
use crate::safety::standin::{by_id, stderr};

/// With several servers, the own session (marked `>` on both tables) is logged off only after
/// both servers are done and verified, not in the middle of the first.
#[test]
fn own_sessions_go_after_every_server() {
    let env = TestEnv::new("own-last-farm");
    env.fake_query("en-2019-mixed.txt", 0);
    env.fake_logoff("");
    let out = env.run(&[
        "--parallel",
        "1",
        "-s",
        "ts01",
        "-s",
        "ts02",
        "--include-self",
        "--yes",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Each server in its own order; a server's verification may overlap the other's logoffs.
    let calls = env.calls();
    let (work, last) = calls.split_at(calls.len().saturating_sub(4));
    for server in ["ts01", "ts02"] {
        let mut expected = vec![format!("query session /server:{server}")];
        expected.extend([3, 4, 5, 6].map(|id| format!("logoff {id} /server:{server}")));
        expected.push(format!("query session /server:{server}"));
        let on: Vec<&String> = work.iter().filter(|c| c.ends_with(server)).collect();
        assert_eq!(on, expected.iter().collect::<Vec<_>>(), "{calls:?}");
    }
    // The own sessions last, each after a fresh look.
    assert_lines(
        &[
            "query session /server:ts01",
            "logoff 2 /server:ts01",
            "query session /server:ts02",
            "logoff 2 /server:ts02",
        ],
        last,
    );
    let report = json(&out);
    let own = report["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["id"] == 2)
        .map(|s| s["outcome"].as_str().unwrap())
        .collect::<Vec<_>>();
    assert_eq!(own, ["after_report", "after_report"]);
}

/// `--drain --include-self`, where logging off the own session kills the program (as on
/// Windows): the logon mode is already restored and the report already written when it goes.
#[test]
fn drained_mode_and_report_are_done_before_the_own_session_goes() {
    let env = TestEnv::new("own-last-drain");
    env.fake_query("en-2019-mixed.txt", 0);
    env.fake_change("enable", &[]);
    // Logging off session 2 ends the caller: the stand-in kills its parent, logoff-all.
    env.fake_logoff("2) kill -9 $PPID; exit 0 ;;");
    let report = env.dir.join("report.json");
    let out = env.run(&[
        "--drain",
        "--include-self",
        "--yes",
        "--format",
        "json",
        "--output",
        report.to_str().unwrap(),
    ]);
    // Killed: no exit code of its own.
    assert_eq!(out.status.code(), None, "{}", stderr(&out));
    assert_eq!(
        env.logon_mode(),
        "enable",
        "restored before the own session went"
    );
    let calls = env.calls();
    assert_eq!(
        calls.last().map(String::as_str),
        Some("logoff 2"),
        "{calls:?}"
    );
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(by_id(&written, 2)["outcome"], "after_report");
    assert_eq!(by_id(&written, 3)["outcome"], "logged_off");
}

/// The own session kept for last goes only if one more look finds it the same: here the last
/// look shows its ID held by someone else, so it is left alone and stderr says why.
#[test]
fn the_own_session_is_read_again_and_left_alone_if_it_changed() {
    let env = TestEnv::new("own-last-changed");
    let later = env.dir.join("later.txt");
    std::fs::write(
        &later,
        " SESSIONNAME       USERNAME                 ID  STATE   TYPE        DEVICE\n \
         services                                    0  Disc\n \
         console                                     1  Conn\n \
         rdp-tcp#7         mallory                   2  Active\n \
         rdp-tcp                                 65536  Listen\n",
    )
    .unwrap();
    let first = crate::common::fixtures().join("en-2019-mixed.txt");
    let count = env.dir.join("count");
    env.script(
        "query",
        &format!(
            "echo \"query $*\" >> '{log}'\nn=$(cat '{count}' 2>/dev/null || echo 0)\n\
             n=$((n+1)); echo $n > '{count}'\n\
             if [ $n -eq 1 ]; then cat '{first}'; else cat '{later}'; fi",
            log = env.dir.join("calls.log").display(),
            count = count.display(),
            first = first.display(),
            later = later.display(),
        ),
    );
    env.fake_logoff("");
    let out = env.run(&[
        "--parallel",
        "1",
        "--include-self",
        "--yes",
        "--verify-wait",
        "0",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_lines(
        &[
            "query session",
            "logoff 3",
            "logoff 4",
            "logoff 5",
            "logoff 6",
            "query session",
        ],
        &env.calls(),
    );
    assert!(
        stderr(&out).contains("your own session 2 was not logged off"),
        "{}",
        stderr(&out)
    );
}
