//! Unit tests of the gate: each rule refuses on its own, and only an approval runs a call.

use super::*;
use crate::decode::{decode, CodePage};
use crate::host::fake::{exited, FakeHost};
use crate::plan::{plan, Options};
use crate::table::parse::parse;

const HEAD: &str = " SESSIONNAME       USERNAME                 ID  STATE\n";
const ROWS: &str = " services                                    0  Disc
>rdp-tcp#1         admin                     1  Active
 rdp-tcp#2         alice                     2  Active
                   bob                       3  Disc
";

fn plan_of(rows: &str, include_self: bool) -> Plan {
    let text = format!("{HEAD}{rows}");
    plan(
        parse(&decode(text.as_bytes(), CodePage::Default(437)).unwrap()).unwrap(),
        Options {
            include_self,
            ..Options::default()
        },
    )
}

fn rules(phase: Phase) -> Rules {
    Rules {
        max_age: Duration::from_secs(10),
        stopping: false,
        phase,
        unwarned: false,
    }
}

/// Asks the gate about row `index` of `planned`, with `latest` as the fresh table.
fn ask(
    act: Act<'static>,
    planned: &Plan,
    index: usize,
    latest: &Plan,
    age: u64,
    warned: Option<&Warned>,
    rules: &Rules,
) -> Result<SessionId, Refusal> {
    let evidence = Evidence {
        server: None,
        entry: &planned.entries[index],
        latest,
        age: Duration::from_secs(age),
        checked: "a test",
        warned,
    };
    decide(act, &evidence, rules).map(|a| a.id())
}

const LOGOFF: Act<'static> = Act::Verb(Verb::Logoff);

#[test]
fn a_planned_session_on_a_fresh_table_goes() {
    let p = plan_of(ROWS, false);
    assert_eq!(
        ask(LOGOFF, &p, 2, &p, 0, None, &rules(Phase::Main)),
        Ok(SessionId::new(2))
    );
    assert_eq!(
        ask(LOGOFF, &p, 3, &p, 10, None, &rules(Phase::Main)),
        Ok(SessionId::new(3))
    );
}

#[test]
fn skipped_rows_never_go_whatever_the_act() {
    let p = plan_of(ROWS, false);
    for act in [
        LOGOFF,
        Act::Reset,
        Act::Message {
            text: "x",
            seconds: 1,
        },
    ] {
        for index in [0, 1] {
            let refused = ask(act, &p, index, &p, 0, None, &rules(Phase::Main));
            assert!(
                matches!(refused, Err(Refusal::NotPlanned(_))),
                "{act:?} {index}"
            );
        }
    }
    let listener = plan_of(
        " rdp-tcp                                 65536  Listen\n",
        true,
    );
    assert!(matches!(
        ask(
            LOGOFF,
            &listener,
            0,
            &listener,
            0,
            None,
            &rules(Phase::Main)
        ),
        Err(Refusal::NotPlanned(_))
    ));
}

#[test]
fn the_own_session_goes_only_last_and_only_it_goes_last() {
    let p = plan_of(ROWS, true);
    assert!(matches!(
        ask(LOGOFF, &p, 1, &p, 0, None, &rules(Phase::Main)),
        Err(Refusal::NotPlanned(_))
    ));
    assert_eq!(
        ask(LOGOFF, &p, 1, &p, 0, None, &rules(Phase::Last)),
        Ok(SessionId::new(1))
    );
    assert!(matches!(
        ask(Act::Reset, &p, 1, &p, 0, None, &rules(Phase::Main)),
        Err(Refusal::NotPlanned(_))
    ));
    assert!(matches!(
        ask(LOGOFF, &p, 2, &p, 0, None, &rules(Phase::Last)),
        Err(Refusal::NotPlanned(_))
    ));
}

#[test]
fn a_stale_table_or_a_stop_refuses() {
    let p = plan_of(ROWS, false);
    assert_eq!(
        ask(LOGOFF, &p, 2, &p, 12, None, &rules(Phase::Main)),
        Err(Refusal::Stale(Duration::from_secs(12)))
    );
    let stopping = Rules {
        stopping: true,
        ..rules(Phase::Main)
    };
    assert_eq!(
        ask(LOGOFF, &p, 2, &p, 0, None, &stopping),
        Err(Refusal::Stopped)
    );
}

#[test]
fn another_session_on_the_id_refuses() {
    let p = plan_of(ROWS, false);
    let reused = plan_of(
        " rdp-tcp#4         mallory                   2  Active\n",
        false,
    );
    assert!(matches!(
        ask(LOGOFF, &p, 2, &reused, 0, None, &rules(Phase::Main)),
        Err(Refusal::Changed(Found::Reused(_)))
    ));
    let gone = plan_of(
        " rdp-tcp#5         carol                     5  Active\n",
        false,
    );
    assert!(matches!(
        ask(LOGOFF, &p, 2, &gone, 0, None, &rules(Phase::Main)),
        Err(Refusal::Changed(Found::Gone(_)))
    ));
    // The same ID twice in the latest table: neither row is acted on.
    let doubled = plan_of(
        " rdp-tcp#2         alice                     2  Active
 rdp-tcp#9         alice                     2  Active
",
        false,
    );
    assert!(matches!(
        ask(LOGOFF, &p, 2, &doubled, 0, None, &rules(Phase::Main)),
        Err(Refusal::Changed(_))
    ));
}

#[test]
fn an_active_session_whose_warning_failed_is_left_alone_unless_asked() {
    let p = plan_of(ROWS, false);
    let failed = Warned::Failed("Error 1722".into());
    let refused = ask(LOGOFF, &p, 2, &p, 0, Some(&failed), &rules(Phase::Main));
    let Err(Refusal::NotWarned(why)) = refused else {
        panic!("{refused:?}");
    };
    assert!(why.contains("alice") && why.contains("Error 1722"), "{why}");
    let anyway = Rules {
        unwarned: true,
        ..rules(Phase::Main)
    };
    assert!(ask(LOGOFF, &p, 2, &p, 0, Some(&failed), &anyway).is_ok());
    assert!(ask(
        LOGOFF,
        &p,
        2,
        &p,
        0,
        Some(&Warned::Sent),
        &rules(Phase::Main)
    )
    .is_ok());
    assert!(ask(
        LOGOFF,
        &p,
        3,
        &p,
        0,
        Some(&Warned::NotActive),
        &rules(Phase::Main)
    )
    .is_ok());
}

#[test]
fn a_message_goes_only_to_an_active_planned_session() {
    let p = plan_of(ROWS, false);
    let msg = Act::Message {
        text: "bye",
        seconds: 60,
    };
    assert_eq!(
        ask(msg, &p, 2, &p, 0, None, &rules(Phase::Main)),
        Ok(SessionId::new(2))
    );
    assert!(matches!(
        ask(msg, &p, 3, &p, 0, None, &rules(Phase::Main)),
        Err(Refusal::NotPlanned(_))
    ));
}

#[test]
fn an_approval_runs_its_own_call_on_the_server_of_the_evidence() {
    let p = plan_of(ROWS, false);
    let server = ServerName::parse("TS01").unwrap();
    let host = FakeHost::new(|_, _| exited(0, "", ""));
    for act in [
        Act::Verb(Verb::Logoff),
        Act::Verb(Verb::Disconnect),
        Act::Reset,
        Act::Message {
            text: "bye",
            seconds: 60,
        },
    ] {
        let evidence = Evidence {
            server: Some(&server),
            entry: &p.entries[2],
            latest: &p,
            age: Duration::ZERO,
            checked: "a test",
            warned: None,
        };
        let approved = decide(act, &evidence, &rules(Phase::Main)).unwrap();
        approved.run(&host, Duration::from_secs(1)).unwrap();
    }
    let argvs = host.argvs();
    assert_eq!(argvs.len(), 4, "{argvs:?}");
    assert!(argvs
        .iter()
        .all(|a| a.contains(&"2".to_string()) && a.contains(&"/server:TS01".to_string())));
}

/// Nothing but the gate builds a call that ends or changes a session: the source of every
/// module outside `host/` (which defines the calls) and outside tests is searched for their
/// constructors.
#[test]
fn only_the_gate_builds_calls_that_act_on_sessions() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offenders = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            // Test-only modules (the simulation's fake server answers these calls) are exempt.
            let exempt = rel.starts_with("host/")
                || rel == "act/gate.rs"
                || rel.starts_with("app/sim/")
                || rel == "act/testing.rs"
                || rel.ends_with("tests.rs")
                || rel.contains("/tests/");
            if exempt || !rel.ends_with(".rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // Unit tests at the end of a file may name calls in their fake hosts.
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            for needle in [
                "Call::Logoff(",
                "Call::Disconnect(",
                "Call::Reset(",
                "Call::Msg {",
                "Call::of_verb(",
            ] {
                if code.contains(needle) {
                    offenders.push(format!("{rel}: {needle}"));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "built outside the gate: {offenders:?}"
    );
}
