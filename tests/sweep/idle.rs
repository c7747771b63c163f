//! The mutation sweep over `query user` outputs: the invariant under --idle-over for the
//! constructed outputs and every real capture, each edited character by character.

use super::*;

/// The invariant under --idle-over, for `query user` outputs edited like the tables above.
#[test]
fn query_user_variants_never_let_a_session_through_unchecked() {
    let sessions = std::fs::read(crate::common::fixtures().join("en-2019-mixed.txt")).unwrap();
    let users = std::fs::read(crate::common::fixtures().join("quser-en-mixed.txt")).unwrap();
    let opts = Opts {
        idle_over: Some(120),
        ..Opts::default()
    };
    let base = crate::support::invariant::check(&sessions, &users, opts)
        .unwrap()
        .unwrap();
    assert_eq!(logoffs(&base).len(), 2, "bob and j.doe-smith");
    let doc = Doc::load(&users);
    let mut variants = 0;
    for li in 0..doc.lines.len() {
        for pos in 0..doc.lines[li].len() {
            for c in [b' ', b'9', b':', b'+', b'.', b'\t', 0] {
                let mut lines = doc.lines.clone();
                lines[li][pos] = c;
                variants += 1;
                if let Err(e) =
                    crate::support::invariant::check(&sessions, &doc.bytes(&lines), opts)
                {
                    panic!("quser line {} pos {pos} = {c}: {e}", li + 1);
                }
            }
        }
    }
    assert!(variants > 2_000, "{variants}");
}

/// The same for every real `query user` capture (fixtures/real/u-*), joined to a `query
/// session` table written from its labels: every character replaced, under --idle-over 1m.
#[test]
fn real_query_user_variants_never_let_a_session_through_unchecked() {
    let real = crate::common::fixtures().join("real");
    let labels: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(real.join("labels.json")).unwrap()).unwrap();
    let opts = Opts {
        idle_over: Some(1),
        ..Opts::default()
    };
    let mut variants = 0;
    let mut planned = 0;
    for (name, label) in labels.as_object().unwrap() {
        if !name.starts_with("u-") {
            continue;
        }
        let mut sessions =
            String::from(" SESSIONNAME       USERNAME                 ID  STATE\r\n");
        for row in label["rows"].as_array().unwrap() {
            let marker = if row["marked"].as_bool().unwrap() {
                '>'
            } else {
                ' '
            };
            sessions.push_str(&format!(
                "{marker}{:<18}{:<21}{:>6}  {}\r\n",
                row["session_name"].as_str().unwrap(),
                row["user"].as_str().unwrap(),
                row["id"].as_u64().unwrap(),
                row["state"].as_str().unwrap()
            ));
        }
        let users = std::fs::read(real.join(name)).unwrap();
        let plan = crate::support::invariant::check(sessions.as_bytes(), &users, opts)
            .unwrap_or_else(|e| panic!("{name} itself: {e}"))
            .unwrap_or_else(|| panic!("{name}: refused as a whole"));
        planned += logoffs(&plan).len();
        let doc = Doc::load(&users);
        for li in 0..doc.lines.len() {
            for pos in 0..doc.lines[li].len() {
                for c in [b' ', b'9', b':', b'+', b'.', b'\t', 0] {
                    let mut lines = doc.lines.clone();
                    lines[li][pos] = c;
                    variants += 1;
                    if let Err(e) = crate::support::invariant::check(
                        sessions.as_bytes(),
                        &doc.bytes(&lines),
                        opts,
                    ) {
                        panic!("{name} line {} byte {pos} = {c}: {e}", li + 1);
                    }
                }
            }
        }
    }
    assert!(variants > 5_000, "{variants}");
    // Sessions idle over a minute in the captures: u-009 (1:34), u-015 (3), u-016 (7),
    // u-021 (2), u-004 (2, but the own session).
    assert_eq!(planned, 4, "sessions planned from the unedited captures");
}
