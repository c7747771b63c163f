//! Issue 20 from outside: user patterns that selected more than asked, or excluded less than
//! written, with stand-in `query` and `logoff` (a real run, not a dry run).

use crate::common::{assert_calls, TestEnv};
use crate::safety::standin::{query_tables, run_with, stderr, table};

fn rows() -> String {
    table(&[
        ("rdp-tcp#1", "alice", 3, "Active"),
        ("rdp-tcp#2", "bob", 4, "Active"),
        ("rdp-tcp#3", "carol", 5, "Active"),
        ("rdp-tcp#4", "dave", 6, "Active"),
        ("rdp-tcp#5", "erin", 7, "Active"),
        ("rdp-tcp#6", "frank", 8, "Active"),
    ])
}

fn utf8_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    out.extend_from_slice(text.as_bytes());
    out
}

/// `type a.txt b.txt > keep.txt` puts b.txt's byte order mark before its first name; a paste
/// brings zero-width spaces, soft hyphens and no-break spaces; `alice@contoso.com` and
/// `CONTOSO\bob` name the user with a domain `query` does not print. Each line excluded its user
/// from nobody, and that user was logged off; now each excludes its user, and the domains are
/// warned about.
#[test]
fn exclusions_as_pasted_and_joined_exclude_their_users() {
    let env = TestEnv::new("i20-joined");
    query_tables(&env, &[rows()]);
    env.fake_logoff("");
    let mut keep = utf8_bom("alice@contoso.com\r\n");
    keep.extend(utf8_bom(
        "CONTOSO\\bob\r\ncar\u{200b}ol\r\nda\u{ad}ve\r\n\u{a0}erin\u{a0}\r\n",
    ));
    let file = env.dir.join("keep.txt");
    std::fs::write(&file, keep).unwrap();
    let out = run_with(&env, &["--exclude-file", file.to_str().unwrap()], &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_calls(
        &["query session", "logoff 8", "query session"],
        &env.calls(),
    );
    assert!(
        err.contains("keep.txt:1: exclusion pattern \"alice@contoso.com\""),
        "{err}"
    );
    assert!(
        err.contains("keep.txt:2: exclusion pattern \"CONTOSO\\\\bob\""),
        "{err}"
    );
    assert!(err.contains("excludes \"bob\" in every domain"), "{err}");
}

/// `--user 'STUDENTS\*'` selected every user (the domain dropped, leaving `*`); a domain in
/// --user is refused before anything runs. An exclusion with one excludes the user part.
#[test]
fn a_user_pattern_with_a_domain_is_refused_and_an_exclusion_excludes_the_user_part() {
    let env = TestEnv::new("i20-domain");
    query_tables(&env, &[rows()]);
    env.fake_logoff("");
    for user in [r"STUDENTS\*", "alice@contoso.com"] {
        let out = run_with(&env, &["--user", user, "--yes"], &[]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(16), "{user}: {err}");
        assert!(err.contains("without their domain"), "{err}");
        assert!(err.contains("give the user name alone"), "{err}");
        assert_calls(&[], &env.calls());
    }
    let out = run_with(
        &env,
        &[
            "--exclude-user",
            r"CONTOSO\a*",
            "--exclude-user",
            "b*@contoso.com",
            "--yes",
        ],
        &[],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains(r#"exclusion pattern "CONTOSO\\a*""#), "{err}");
    assert!(err.contains(r#"excludes "a*" in every domain"#), "{err}");
    let calls = env.calls();
    assert!(
        !calls.iter().any(|c| c == "logoff 3" || c == "logoff 4"),
        "{calls:?}"
    );
    assert!(calls.iter().any(|c| c == "logoff 5"), "{calls:?}");
}

/// An empty or comments-only exclusion file was accepted, so everyone was logged off; a line
/// with an invisible character that cannot be dropped matched nobody. Both are refused before
/// anything runs, naming the file (and the line and character).
#[test]
fn an_exclusion_file_that_excludes_nobody_or_holds_a_hidden_character_is_refused() {
    let env = TestEnv::new("i20-empty");
    query_tables(&env, &[rows()]);
    env.fake_logoff("");
    for (name, text, words) in [
        ("empty.txt", "".to_string(), "holds no user name"),
        (
            "comments.txt",
            "# keep these\r\n\r\n  # none yet\r\n".to_string(),
            "holds no user name",
        ),
        (
            "rlm.txt",
            "alice\r\nbob\u{200f}\r\n".to_string(),
            "rlm.txt:2: exclusion \"bob\\u{200f}\" holds the invisible character U+200F",
        ),
    ] {
        let file = env.dir.join(name);
        std::fs::write(&file, utf8_bom(&text)).unwrap();
        let out = run_with(
            &env,
            &["--exclude-file", file.to_str().unwrap(), "--yes"],
            &[],
        );
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(16), "{name}: {err}");
        assert!(err.contains(name) && err.contains(words), "{name}: {err}");
        assert_calls(&[], &env.calls());
    }
}
