//! `--parallel`: logoffs at once on one server, against a stand-in `logoff` that takes a while
//! and notes when each one starts and ends.

use super::{by_id, stderr};
use crate::common::{json, TestEnv};

/// Runs the mixed table (sessions 3, 4, 5, 6 to log off) with a `logoff` that lasts 0.4 s, and
/// returns the report and the most logoffs that ran at once.
fn run(parallel: &str) -> (serde_json::Value, usize, Vec<String>) {
    let env = TestEnv::new(&format!("parallel-{parallel}"));
    env.fake_query("en-2019-mixed.txt", 0);
    let (log, gone) = (env.dir.join("overlap.log"), env.gone_file());
    env.script(
        "logoff",
        &format!(
            "echo \"start $1\" >> '{log}'\nsleep 0.4\necho \"$1 $2\" >> '{gone}'\necho \"end $1\" \
             >> '{log}'\nexit 0",
            log = log.display(),
            gone = gone.display()
        ),
    );
    let out = env.run(&["--parallel", parallel, "--yes", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines: Vec<String> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let (mut now, mut most) = (0usize, 0usize);
    for line in &lines {
        if line.starts_with("start") {
            now += 1;
            most = most.max(now);
        } else {
            now -= 1;
        }
    }
    let starts = lines
        .iter()
        .filter(|l| l.starts_with("start"))
        .cloned()
        .collect();
    (json(&out), most, starts)
}

#[test]
fn parallel_logoffs_overlap_up_to_n_and_every_one_is_verified() {
    let (report, most, starts) = run("3");
    assert_eq!(most, 3, "{starts:?}");
    assert_eq!(starts.len(), 4);
    for id in [3, 4, 5, 6] {
        assert_eq!(by_id(&report, id)["outcome"], "logged_off", "{report}");
    }
    // One at a time: each waits for the one before, in plan order.
    let (report, most, starts) = run("1");
    assert_eq!(most, 1);
    assert_eq!(starts, ["start 3", "start 4", "start 5", "start 6"]);
    assert_eq!(by_id(&report, 6)["outcome"], "logged_off");
}
