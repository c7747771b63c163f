//! The drain journal: a run killed from outside leaves logons drained and a journal, which
//! `--restore-logons` or the next run mends; a journal of a run still going, or of a mode
//! someone changed since, is left alone.

use super::drain::wait_for_call;
use super::{mixed, stderr};

/// Issue 21: a run killed from outside (SIGKILL, as Task Scheduler's stop or `taskkill /f`)
/// leaves logons drained and a journal; `--restore-logons`, or the next run, puts them back.
#[test]
fn a_drain_left_by_a_killed_run_is_restored_by_the_next_run() {
    for next in [&["--restore-logons"][..], &["--yes"][..]] {
        let env = mixed("drain-killed", "enable", &[]);
        env.fake_tool("msg", "3) sleep 30 ;;");
        let mut child = env
            .command(&["--drain", "--warn", "bye", "--grace", "60s"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        wait_for_call(&env, "msg 3");
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(env.logon_mode(), "drain");
        let journal = env.bin.join("logoff-all-drain.json");
        let note = std::fs::read_to_string(&journal).unwrap();
        assert!(note.contains(&format!("\"pid\":{}", child.id())), "{note}");

        env.fake_tool("msg", "");
        let out = env.run(next);
        assert_eq!(out.status.code(), Some(0), "{next:?}: {}", stderr(&out));
        assert_eq!(env.logon_mode(), "enable", "{next:?}");
        assert!(
            stderr(&out).contains("ended without restoring the logon mode"),
            "{}",
            stderr(&out)
        );
        assert!(!journal.exists());
        // Said once: a further run finds nothing to mend.
        let out = env.run(&["--restore-logons"]);
        assert_eq!(out.status.code(), Some(0));
        assert!(stderr(&out).contains("nothing to do"), "{}", stderr(&out));
    }
}

/// A journal whose run still runs, or whose mode someone else changed since, is not acted on.
#[test]
fn a_journal_of_a_running_run_or_a_changed_mode_is_respected() {
    let env = mixed("drain-journal", "drain", &[]);
    let journal = env.bin.join("logoff-all-drain.json");
    // This test process still runs: its drain is its own.
    std::fs::write(
        &journal,
        format!(
            "{{\"pid\":{},\"started\":null,\"recorded\":\"/enable\",\"set\":\"/drain\"}}",
            std::process::id()
        ),
    )
    .unwrap();
    let out = env.run(&["--restore-logons"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("still runs"), "{}", stderr(&out));
    assert_eq!(env.logon_mode(), "drain");
    assert!(journal.exists());
    // A gone run, but the mode is now disabled by someone else: left so, note removed.
    std::fs::write(
        &journal,
        "{\"pid\":4294967,\"started\":1,\"recorded\":\"/enable\",\"set\":\"/drain\"}",
    )
    .unwrap();
    std::fs::write(env.dir.join("logon-mode"), "disable").unwrap();
    let out = env.run(&["--restore-logons"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(env.logon_mode(), "disable");
    assert!(stderr(&out).contains("it was left so"), "{}", stderr(&out));
    assert!(!journal.exists());
}
