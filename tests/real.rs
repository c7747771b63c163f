//! Real captures (fixtures/real/, labelled by hand in labels.json): every file through decode →
//! parse → plan with default options. `session` tables must plan exactly as labelled; `user`
//! tables are read through the idle path at two thresholds; `mangled` and `error` outputs may
//! log off nothing outside `logoff_ids` and never a `never_ids` entry.

use logoff_all::decode::{decode, CodePage};
use logoff_all::plan::filter::Filters;
use logoff_all::plan::{plan, Options, Plan};
use logoff_all::table::idle::{self, IdleTable};
use logoff_all::table::parse::{parse, Table};
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::Duration;

fn real() -> std::path::PathBuf {
    crate::common::fixtures().join("real")
}

fn labels() -> serde_json::Map<String, Value> {
    let text = std::fs::read_to_string(real().join("labels.json")).unwrap();
    serde_json::from_str::<Value>(&text)
        .unwrap()
        .as_object()
        .unwrap()
        .clone()
}

fn ids(v: &Value) -> BTreeSet<u32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_u64().unwrap() as u32)
        .collect()
}

fn planned(p: &Plan) -> BTreeSet<u32> {
    p.logoff_order()
        .iter()
        .map(|i| p.entries[*i].session().unwrap().id.get())
        .collect()
}

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or("").to_string()
}

/// The labelled idle field in minutes (None: "no idle time" words are 0; unreadable: None).
fn label_minutes(idle: &str) -> Option<u64> {
    if [".", "none", "Kein", "aucun", "ninguno", "отсутствует", "无"].contains(&idle) {
        return Some(0);
    }
    let (days, rest) = idle.split_once('+').unwrap_or(("0", idle));
    let (h, m) = rest.split_once(':').unwrap_or(("0", rest));
    Some(days.parse::<u64>().ok()? * 1440 + h.parse::<u64>().ok()? * 60 + m.parse::<u64>().ok()?)
}

fn idle_plan(table: &IdleTable, over_minutes: u64) -> Plan {
    let filters = Filters {
        idle_over: Some(Duration::from_secs(over_minutes * 60)),
        ..Filters::default()
    };
    let sessions: Table = table.to_table().expect("a header");
    plan(
        sessions,
        Options {
            filters: Some(&filters),
            idle: Some(table),
            ..Options::default()
        },
    )
}

pub(crate) fn check_session(name: &str, label: &Value, bytes: &[u8]) -> Result<(), String> {
    let decoded = decode(bytes, CodePage::Default(437)).map_err(|e| e.to_string())?;
    let table = parse(&decoded).map_err(|e| e.to_string())?;
    let rows: Vec<_> = table.sessions().cloned().collect();
    let want = label["rows"].as_array().unwrap();
    if rows.len() != want.len() || rows.len() != table.rows.len() {
        return Err(format!(
            "{} rows, expected {}: {:?}",
            table.rows.len(),
            want.len(),
            table.rows
        ));
    }
    for (got, want) in rows.iter().zip(want) {
        let got_fields = (
            got.id.get(),
            got.user.as_deref().unwrap_or_default().to_string(),
            got.name.as_deref().unwrap_or_default().to_string(),
            got.state_word.to_string(),
            got.marked_current,
        );
        let want_fields = (
            want["id"].as_u64().unwrap() as u32,
            text(want, "user"),
            text(want, "session_name"),
            text(want, "state"),
            want["marked"].as_bool().unwrap(),
        );
        if got_fields != want_fields {
            return Err(format!(
                "{name}: row {got_fields:?}, expected {want_fields:?}"
            ));
        }
    }
    let p = plan(table, Options::default());
    let got = planned(&p);
    if got != ids(&label["logoff_ids"]) {
        return Err(format!("plans {got:?}, labelled {:?}", label["logoff_ids"]));
    }
    Ok(())
}

pub(crate) fn check_user(label: &Value, bytes: &[u8]) -> Result<(), String> {
    let decoded = decode(bytes, CodePage::Default(437)).map_err(|e| e.to_string())?;
    let table = idle::parse(&decoded).map_err(|e| e.to_string())?;
    if !table.not_understood.is_empty() {
        return Err(format!("not understood: {:?}", table.not_understood));
    }
    let want = label["rows"].as_array().unwrap();
    let got: Vec<_> = table.entries().collect();
    if got.len() != want.len() {
        return Err(format!("{} rows, expected {}", got.len(), want.len()));
    }
    for (g, w) in got.iter().zip(want) {
        let got_fields = (
            g.id.get(),
            g.user.clone(),
            g.session_name.clone().unwrap_or_default(),
            g.state_word.clone(),
            g.idle_text.clone(),
            g.marked,
            g.idle.as_ref().ok().map(|d| d.as_secs() / 60),
        );
        let idle = text(w, "idle");
        let want_fields = (
            w["id"].as_u64().unwrap() as u32,
            text(w, "user"),
            text(w, "session_name"),
            text(w, "state"),
            idle.clone(),
            w["marked"].as_bool().unwrap(),
            label_minutes(&idle),
        );
        if got_fields != want_fields {
            return Err(format!("row {got_fields:?}, expected {want_fields:?}"));
        }
    }
    // Idle over 0 minutes: every labelled logoff has some idle time; then a threshold that
    // keeps only the sessions idle longer than 5 minutes.
    let logoff = ids(&label["logoff_ids"]);
    for over in [0u64, 5] {
        let expected: BTreeSet<u32> = want
            .iter()
            .filter(|w| logoff.contains(&(w["id"].as_u64().unwrap() as u32)))
            .filter(|w| label_minutes(&text(w, "idle")).is_some_and(|m| m > over))
            .map(|w| w["id"].as_u64().unwrap() as u32)
            .collect();
        let got = planned(&idle_plan(&table, over));
        if got != expected {
            return Err(format!(
                "--idle-over {over}m plans {got:?}, expected {expected:?}"
            ));
        }
    }
    Ok(())
}

pub(crate) fn check_refusable(label: &Value, bytes: &[u8]) -> Result<(), String> {
    let allowed = ids(&label["logoff_ids"]);
    let never = ids(&label["never_ids"]);
    let decoded = decode(bytes, CodePage::Default(437)).map_err(|e| e.to_string())?;
    let mut plans = Vec::new();
    if let Ok(table) = parse(&decoded) {
        plans.push(plan(table, Options::default()));
    }
    if let Ok(table) = idle::parse(&decoded) {
        plans.push(idle_plan(&table, 0));
    }
    for p in &plans {
        let got = planned(p);
        if !got.is_subset(&allowed) || !got.is_disjoint(&never) {
            return Err(format!(
                "plans {got:?}; allowed {allowed:?}, never {never:?}"
            ));
        }
    }
    Ok(())
}

#[test]
fn every_real_capture_plans_as_labelled() {
    let labels = labels();
    let mut files: Vec<String> = std::fs::read_dir(real())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "{} captures", files.len());
    let mut failures = Vec::new();
    let mut kinds = std::collections::BTreeMap::new();
    for name in &files {
        let label = labels
            .get(name)
            .unwrap_or_else(|| panic!("{name} has no label"));
        let bytes = std::fs::read(real().join(name)).unwrap();
        let kind = label["kind"].as_str().unwrap();
        // scripts/capture-to-fixture drafts labels; a person confirms them and deletes "draft".
        if label.get("draft").is_some() {
            failures.push(format!(
                "{name}: label still a draft, confirm it: {}",
                label["draft"]
            ));
        }
        *kinds.entry(kind.to_string()).or_insert(0) += 1;
        let result = match kind {
            "session" => check_session(name, label, &bytes),
            "user" => check_user(label, &bytes),
            "mangled" | "error" => check_refusable(label, &bytes),
            other => Err(format!("unknown kind {other}")),
        };
        if let Err(why) = result {
            failures.push(format!("{name} ({kind}): {why}"));
        }
    }
    assert_eq!(labels.len(), files.len(), "a label without a file");
    assert!(failures.is_empty(), "{kinds:?}\n{}", failures.join("\n"));
}

/// The error outputs are told apart from tables: nothing is planned and the whole output is
/// refused, for the right reason.
#[test]
fn real_error_outputs_are_refused_as_a_whole() {
    for (name, label) in labels() {
        if label["kind"] != "error" {
            continue;
        }
        let bytes = std::fs::read(real().join(&name)).unwrap();
        let decoded = decode(&bytes, CodePage::Default(437)).unwrap();
        let err = parse(&decoded).expect_err(&name).to_string();
        assert!(
            !err.contains("--codepage"),
            "{name}: clean text, no code page advice: {err}"
        );
    }
}
