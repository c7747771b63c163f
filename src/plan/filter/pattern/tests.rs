//! Unit tests of user and session name patterns.

use super::*;

#[test]
fn wildcards_are_case_insensitive_and_anchored() {
    let p = Pattern::exclusion("adm*").unwrap();
    assert!(p.matches("Administrator") && p.matches("ADM") && !p.matches("sysadm"));
    let p = Pattern::exclusion("user?").unwrap();
    assert!(p.matches("user1") && !p.matches("user12") && !p.matches("user"));
    assert!(Pattern::exclusion("JÜRGEN").unwrap().matches("jürgen"));
    assert!(Pattern::exclusion("a.b").unwrap().matches("a.b"));
    assert!(
        !Pattern::exclusion("a.b").unwrap().matches("axb"),
        "dots are literal"
    );
    assert!(Pattern::exclusion("*x*y").unwrap().matches("axbxy"));
    assert!(!Pattern::exclusion("*x*y").unwrap().matches("axbx"));
    assert!(Pattern::exclusion("c#admin").unwrap().matches("C#Admin"));
}

#[test]
fn session_name_patterns_take_the_whole_text() {
    let p = Pattern::session_name("RDP-Tcp#*").unwrap();
    assert!(p.matches("rdp-tcp#12") && !p.matches("ica-cgp#1"));
    assert!(Pattern::session_name(r"a\b").unwrap().matches(r"a\b"));
    assert!(Pattern::session_name("  ").is_err());
}

#[test]
fn domain_prefix_matches_the_user_part() {
    let p = Pattern::exclusion(r"CONTOSO\svc_*").unwrap();
    assert!(p.matches("svc_backup"));
    assert!(Pattern::exclusion(r"CONTOSO\").is_err());
}

/// Issue 11 item 3: `query` cuts user names to 20 characters, so an exclusion of the full
/// name must still exclude the printed one.
#[test]
fn a_long_exclusion_matches_the_name_cut_to_20_characters() {
    let p = Pattern::exclusion("Administrator.CONTOSO").unwrap();
    assert!(p.matches_cut("Administrator.CONTOS"));
    assert!(p.matches_cut("administrator.contoso"));
    assert!(!p.matches("Administrator.CONTOS"), "includes stay exact");
    // Only a name of exactly 20 characters can have been cut.
    assert!(!p.matches_cut("Administrator.CONT"));
    assert!(!p.matches_cut("Administrator.CONTOX"));
    let p = Pattern::exclusion(r"CONTOSO\svc_backup_nightly_*").unwrap();
    assert!(p.matches_cut("svc_backup_nightly_s"));
    let p = Pattern::exclusion("svc_?????????????????x").unwrap();
    assert!(p.matches_cut("svc_abcdefghijklmnop"));
    assert!(!p.matches_cut("svx_abcdefghijklmnop"));
}

#[test]
fn the_own_user_is_recognised_by_its_printed_name() {
    assert!(same_user("Administrator", r"CONTOSO\administrator"));
    assert!(same_user("Administrator.CONTOS", "Administrator.CONTOSO"));
    assert!(!same_user("Administrator.CONT", "Administrator.CONTOSO"));
    assert!(!same_user("alice", "bob"));
    assert!(!same_user("", ""));
}

#[test]
fn patterns_that_can_never_match_are_named() {
    for bad in [
        "a/b", "adm[1]", "x:y", "a|b", "a=b", "a,b", "a+b", "a<b>", "\"q\"",
    ] {
        let p = Pattern::exclusion(bad).unwrap();
        assert!(p.never_matches(true).is_some(), "{bad}");
    }
    let long = Pattern::exclusion("Administrator.CONTOSO").unwrap();
    assert!(
        long.never_matches(true).is_none(),
        "an exclusion matches the cut name"
    );
    let why = long.warning("--user", false).unwrap();
    assert!(
        why.starts_with("--user pattern \"Administrator.CONTOSO\": query prints"),
        "{why}"
    );
    assert!(why.contains("\"Administrator.CONTOS\""), "{why}");
    assert!(Pattern::exclusion("Administrator.CONTOS*")
        .unwrap()
        .never_matches(false)
        .is_none());
    for ok in [
        "adm*",
        "user?",
        "c#admin",
        "John Smith",
        r"CONTOSO\svc_*",
        "j.doe-smith",
    ] {
        assert!(
            Pattern::exclusion(ok)
                .unwrap()
                .never_matches(false)
                .is_none(),
            "{ok}"
        );
    }
}

/// Issue 20: `--user 'STUDENTS\*'` selected every user (the domain dropped, leaving `*`), and
/// `alice@contoso.com` in an exclusion never matched and said nothing.
#[test]
fn a_domain_is_refused_in_user_and_excludes_the_user_part_with_a_note() {
    for text in [r"STUDENTS\*", "alice@contoso.com", r"CONTOSO\alice"] {
        let e = Pattern::include(text).unwrap_err();
        assert!(e.contains("without their domain"), "{e}");
    }
    let e = Pattern::include(r"STUDENTS\*").unwrap_err();
    assert!(
        e.contains(r#"domain "STUDENTS""#) && e.contains(r#"select "*""#),
        "{e}"
    );
    // `@` alone, or with nothing on one side, is part of a name.
    assert!(Pattern::include("a@").unwrap().matches("A@"));
    let p = Pattern::exclusion("alice@contoso.com").unwrap();
    assert!(p.matches_cut("alice") && p.matches_cut("ALICE@contoso.com"));
    assert!(!p.matches_cut("bob"));
    let note = p.warning("exclusion", true).unwrap();
    assert!(
        note.contains(r#"excludes "alice" in every domain"#),
        "{note}"
    );
    let p = Pattern::exclusion(r"CONTOSO\alice").unwrap();
    assert!(p.matches_cut("alice"));
    let note = p.warning("exclusion", true).unwrap();
    assert!(
        note.contains(r#"the domain "CONTOSO" cannot be checked"#),
        "{note}"
    );
    assert!(Pattern::exclusion("alice")
        .unwrap()
        .warning("exclusion", true)
        .is_none());
}

/// Invisible characters: an include holding one is refused (it would select a name nobody
/// sees); an exclusion drops the ones pasting and joining bring, and ignores them in names.
#[test]
fn invisible_characters_in_patterns() {
    let e = Pattern::include("al\u{200b}ice").unwrap_err();
    assert!(e.contains("U+200B (zero-width space)"), "{e}");
    assert!(Pattern::include("John\u{a0}Smith")
        .unwrap()
        .matches("john smith"));
    let p = Pattern::exclusion("\u{feff}al\u{200b}ice").unwrap();
    assert_eq!(p.as_str(), "alice");
    assert!(p.matches_cut("alice") && p.matches_cut("a\u{ad}lice"));
    assert!(Pattern::exclusion("bob\u{202e}")
        .unwrap_err()
        .contains("U+202E"));
}
