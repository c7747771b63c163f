//! The audit trail: one JSON line per decision and outcome in `--log`, a log that cannot be
//! opened or written refuses to log anyone off, and one summary event per server.

use super::stderr;
use crate::common::{assert_calls, json, TestEnv};
use serde_json::Value;

/// The log opens and closes each run with a run line: the version, the command line (quoted),
/// the account, the computer, and at the end the exit code and the totals. It used to have no
/// line for the run itself, so a night with nothing to do left no trace.
#[test]
fn the_log_opens_and_closes_each_run_with_a_run_line() {
    let env = TestEnv::new("log-run");
    env.fake_query("en-2019-console-user.txt", 0);
    env.fake_logoff("2) echo 'Error [5]:Access is denied.' >&2; exit 1 ;;");
    let log = env.dir.join("audit.log");
    let out = env.run(&[
        "--log",
        log.to_str().unwrap(),
        "--warn-exact",
        "--warn",
        "bye now",
        "--grace",
        "0s",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = std::fs::read_to_string(&log).unwrap();
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (start, end) = (&records[0], records.last().unwrap());
    for (line, step) in [(start, "start"), (end, "end")] {
        assert_eq!(line["event"], "run", "{line}");
        assert_eq!(line["step"], step, "{line}");
        assert_eq!(line["mode"], "act");
        assert_eq!(line["version"], env!("CARGO_PKG_VERSION"));
        let command = line["command_line"].as_str().unwrap();
        assert!(
            command.ends_with(r#"--warn "bye now" --grace 0s"#),
            "{command}"
        );
        assert!(
            line["account"].is_string() || line["account"].is_null(),
            "{line}"
        );
        assert!(line.get("computer").is_some(), "{line}");
    }
    assert!(start["exit_code"].is_null());
    assert_eq!(end["exit_code"]["code"], 1);
    assert_eq!(end["exit_code"]["bits"][0], "logoff_failed");
    assert_eq!(end["total"]["servers"], 1);
    assert_eq!(end["total"]["failed"], 1);
    assert_eq!(end["total"]["sessions"], 4);
}

#[test]
fn log_appends_one_json_line_per_decision_and_outcome() {
    let env = TestEnv::new("log");
    env.fake_query("en-2019-console-user.txt", 0);
    env.fake_logoff("");
    let log = env.dir.join("audit.log");
    std::fs::write(&log, "earlier line\n").unwrap();
    let out = env.run(&["--log", log.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&log).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("earlier line"), "never truncated");
    let all: Vec<Value> = lines.map(|l| serde_json::from_str(l).unwrap()).collect();
    // The run's own lines open and close it (checked in the next test); between them, one
    // line per decision and outcome.
    assert_eq!(all.first().unwrap()["event"], "run");
    assert_eq!(all.last().unwrap()["event"], "run");
    let records = &all[1..all.len() - 1];
    let events: Vec<(&str, &Value, &str)> = records
        .iter()
        .map(|r| {
            (
                r["event"].as_str().unwrap(),
                &r["id"],
                r["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        events,
        [
            ("decision", &Value::from(0), "skip"),
            ("decision", &Value::from(1), "skip"),
            ("decision", &Value::from(2), "logoff"),
            ("decision", &Value::from(65536), "skip"),
            ("started", &Value::from(2), "logoff"),
            ("outcome", &Value::from(2), "logoff"),
            ("outcome", &Value::from(2), "logoff"),
        ]
    );
    // The call under way (a run ended from outside leaves this line), the logoff as it
    // happened, then what the look afterwards found.
    assert!(
        records[4].get("outcome").is_none_or(Value::is_null),
        "{}",
        records[4]
    );
    assert_eq!(records[5]["outcome"], "logged_off_unverified");
    let last = &records[6];
    assert_eq!(last["outcome"], "logged_off");
    assert_eq!(last["user"], "carol");
    assert_eq!(last["server"], "localhost");
    let time = last["time"].as_str().unwrap();
    assert!(
        time.len() == 20 && time.ends_with('Z') && time.as_bytes()[10] == b'T',
        "{time}"
    );
    // One record, one shape: a log line is the JSON report's session record with the time,
    // the event and the mode in front.
    let report = json(&env.run(&["-n", "--format", "json"]));
    let mut shape: Vec<&str> = report["sessions"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .chain(["time", "event", "mode"])
        .collect();
    shape.sort_unstable();
    for r in records {
        let mut keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, shape, "{r}");
    }
    assert_eq!(records[0]["mode"], "act");
}

#[test]
fn a_log_that_cannot_be_opened_refuses_to_log_anyone_off() {
    let env = TestEnv::new("badlog");
    env.fake_query("en-2019-console-user.txt", 0);
    env.fake_logoff("");
    let out = env.run(&[
        "--log",
        env.dir.join("no/such/dir/audit.log").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(16));
    assert!(
        stderr(&out).contains("cannot open --log"),
        "{}",
        stderr(&out)
    );
    assert!(env.calls().is_empty());
}

#[test]
fn event_log_writes_one_summary_per_server_and_its_failure_is_only_reported() {
    let env = TestEnv::new("event");
    env.fake_query("en-2019-mixed.txt", 0);
    env.fake_logoff("5) echo 'Error [5]:Access is denied.' >&2; exit 1 ;;");
    env.fake_tool("eventcreate", "");
    let out = env.run(&["--event-log"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let calls = env.calls();
    let event = calls.iter().find(|c| c.starts_with("eventcreate")).unwrap();
    assert!(
        event.starts_with("eventcreate /l APPLICATION /so logoff-all /t WARNING /id 2 /d localhost: 3 logged off, 1 failed"),
        "{event}"
    );

    let env = TestEnv::new("event-fail");
    env.fake_query("en-2019-console-user.txt", 0);
    env.fake_logoff("");
    env.fake_tool(
        "eventcreate",
        "*) echo 'ERROR: Access denied.' >&2; exit 1 ;;",
    );
    let out = env.run(&["--event-log", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json(&out);
    assert!(report["warnings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("event log not written"));
    assert!(env
        .calls()
        .iter()
        .any(|c| c.starts_with("eventcreate /l APPLICATION /so logoff-all /t INFORMATION /id 1")));
}

/// A log that opens but cannot be written (a full disk): the decisions cannot be recorded, so
/// nobody is logged off.
#[test]
fn a_log_that_cannot_be_written_refuses_to_log_anyone_off() {
    let env = TestEnv::new("fulllog");
    env.fake_query("en-2019-console-user.txt", 0);
    env.fake_logoff("");
    let out = env.run(&["--log", "/dev/full"]);
    assert_eq!(out.status.code(), Some(16), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot write --log /dev/full"),
        "{}",
        stderr(&out)
    );
    assert_calls(&["query session"], &env.calls());
}
