//! Table-driven: for every fixture expectation, the JSON plan from `--input` matches the plan
//! written by hand in fixtures/construct.py.

use serde_json::Value;

const FIELDS: &[&str] = &[
    "id",
    "user",
    "session_name",
    "state",
    "current",
    "action",
    "reason_code",
];

#[test]
fn every_fixture_plans_as_expected() {
    let mut cases: Vec<_> = std::fs::read_dir(crate::common::fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".expected.json"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 20, "only {} fixture cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(case).unwrap()).unwrap();
        let input = crate::common::fixtures().join(expected["input"].as_str().unwrap());
        let mut args = vec![
            "--input".to_string(),
            input.display().to_string(),
            "--format".into(),
            "json".into(),
        ];
        args.extend(
            expected["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_string()),
        );
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = crate::common::run(&args);
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let report = crate::common::json(&out);
        if let Err(why) = compare(&expected, &report, out.status.code()) {
            failures.push(format!("{name}: {why}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn compare(expected: &Value, report: &Value, code: Option<i32>) -> Result<(), String> {
    let want_code = expected["exit_code"].as_i64().unwrap() as i32;
    if code != Some(want_code) {
        return Err(format!("exit code {code:?}, expected {want_code}"));
    }
    if report["exit_code"]["code"].as_i64() != Some(i64::from(want_code)) {
        return Err(format!("JSON exit_code {}", report["exit_code"]));
    }
    if report["mode"] != "dry_run" {
        return Err("--input must be a dry run".into());
    }
    let errors = report["errors"].as_array().unwrap();
    match expected["error_kind"].as_str() {
        Some(kind) if errors.len() != 1 || errors[0]["kind"] != kind => {
            return Err(format!("errors {errors:?}, expected one of kind {kind}"));
        }
        Some(_) => {}
        None if !errors.is_empty() => return Err(format!("unexpected errors {errors:?}")),
        None => {}
    }
    let want = expected["sessions"].as_array().unwrap();
    let got = report["sessions"].as_array().unwrap();
    if want.len() != got.len() {
        return Err(format!(
            "{} rows, expected {}: {}",
            got.len(),
            want.len(),
            serde_json::to_string_pretty(got).unwrap()
        ));
    }
    for (i, (w, g)) in want.iter().zip(got).enumerate() {
        for field in FIELDS.iter().chain(w.get("raw").map(|_| &"raw")) {
            if w[*field] != g[*field] {
                return Err(format!(
                    "row {i} field {field}: got {}, expected {}\n  row: {g}",
                    g[*field], w[*field]
                ));
            }
        }
        // A capture's rows are labelled by its file name, never as this computer's.
        if g["server"] != expected["input"] {
            return Err(format!("row {i} server {}", g["server"]));
        }
        if !g["outcome"].is_null() {
            return Err(format!("row {i} has an outcome in a dry run"));
        }
    }
    Ok(())
}

/// Every `query user` fixture, with its idle times written by hand (minutes, or None where the
/// value must be refused).
#[test]
fn every_query_user_fixture_reads_as_expected() {
    use logoff_all::decode::{decode, CodePage};
    use logoff_all::table::session::SessionId;
    type Row = (u32, &'static str, Option<u64>);
    let cases: &[(&str, u16, &[Row])] = &[
        (
            "quser-en-mixed.txt",
            437,
            &[
                (2, "admin", Some(0)),
                (3, "alice", Some(5)),
                (4, "bob", Some(1573)),
                (5, "j.doe-smith", Some(150)),
                (6, "svc_backup", None),
            ],
        ),
        (
            "quser-de-cp850.txt",
            850,
            &[
                (1, "administrator", Some(0)),
                (2, "jürgen müller", Some(17)),
                (3, "schröder", Some(3 * 1440 + 4 * 60 + 5)),
            ],
        ),
        (
            "quser-fr-cp850.txt",
            850,
            &[(3, "françois", Some(0)), (4, "hélène", Some(65))],
        ),
        (
            "quser-es-cp850.txt",
            850,
            &[
                (2, "josé.garcía", Some(0)),
                (3, "núria", Some(2 * 1440 + 1)),
            ],
        ),
        // The idle word wider than its column, starting left of its title.
        (
            "quser-ru-utf8.txt",
            65001,
            &[
                (2, "admin", Some(0)),
                (3, "ivanov", Some(2 * 1440 + 3 * 60 + 4)),
                (4, "petrov", Some(45)),
            ],
        ),
        // A CJK header aligned by display width, the idle word 无.
        (
            "quser-zh-utf8.txt",
            65001,
            &[(2, "john", Some(94)), (3, "mary", Some(0))],
        ),
        // An absurd idle time is unreadable (None), its neighbours are not.
        (
            "quser-de-absurd.txt",
            850,
            &[
                (2, "anna", Some(0)),
                (3, "bernd", None),
                (4, "clara", Some(67)),
            ],
        ),
        // A mojibake title (TAT for ÉTAT) and \r\r\n line ends.
        (
            "quser-fr-tat.txt",
            850,
            &[(2, "jsboi", Some(2)), (3, "odile", Some(0))],
        ),
    ];
    for (file, cp, rows) in cases {
        let bytes = std::fs::read(crate::common::fixtures().join(file)).unwrap();
        let table = logoff_all::table::idle::parse(&decode(&bytes, CodePage::Forced(*cp)).unwrap())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(
            table.not_understood.is_empty(),
            "{file}: {:?}",
            table.not_understood
        );
        assert_eq!(table.by_id.len(), rows.len(), "{file}");
        for (id, user, minutes) in rows.iter() {
            let entry = &table.by_id[&SessionId::new(*id)];
            assert_eq!(entry.user, *user, "{file} {id}");
            let got = entry.idle.as_ref().ok().map(|d| d.as_secs() / 60);
            assert_eq!(got, *minutes, "{file} {id}: {:?}", entry.idle);
        }
    }
}
