//! Unit tests of the filters.

use super::*;
use crate::vocab::SessionId;

fn session(user: &str, state: State) -> Session {
    Session {
        id: SessionId::new(3),
        name: None,
        user: Some(user.into()),
        state_word: state.canonical().into(),
        state,
        kind: None,
        device: None,
        marked_current: false,
        line: 1,
    }
}

#[test]
fn domain_prefix_matches_the_user_part() {
    let p = Pattern::exclusion(r"CONTOSO\svc_*").unwrap();
    assert!(p.matches("svc_backup"));
    assert!(Pattern::exclusion(r"CONTOSO\").is_err());
}

#[test]
fn exclusion_wins_over_inclusion() {
    let f = Filters {
        users: vec![Pattern::include("*").unwrap()],
        exclude_users: vec![Pattern::exclusion("admin*").unwrap()],
        ..Filters::default()
    };
    assert!(f.check(&session("alice", State::Active), None).is_ok());
    let why = f
        .check(&session("Administrator", State::Active), None)
        .unwrap_err();
    assert!(why.contains("exclusion"), "{why}");
}

#[test]
fn state_filter_uses_canonical_and_localized_words() {
    let f = Filters {
        states: vec![parse_state("disc").unwrap(), parse_state("Getr.").unwrap()],
        ..Filters::default()
    };
    assert!(f.check(&session("a", State::Disconnected), None).is_ok());
    assert!(f.check(&session("a", State::Active), None).is_err());
    assert!(parse_state("sleeping").is_err());
    assert_eq!(parse_state("ACTIVE"), Ok(State::Active));
}

#[test]
fn idle_filter_without_a_table_fails_closed() {
    let f = Filters {
        idle_over: Some(Duration::from_secs(60)),
        ..Filters::default()
    };
    assert!(f.check(&session("a", State::Disconnected), None).is_err());
}

#[test]
fn durations_format_compactly() {
    assert_eq!(format_duration(Duration::from_secs(7200)), "2h");
    assert_eq!(format_duration(Duration::from_secs(129_600)), "1d12h");
    assert_eq!(format_duration(Duration::from_secs(2700)), "45m");
}

#[test]
fn session_names_match_wildcards_and_never_an_empty_name() {
    let f = Filters {
        session_names: vec![Pattern::session_name("ICA-CGP#*").unwrap()],
        ..Filters::default()
    };
    let mut s = session("a", State::Active);
    s.name = Some("ica-cgp#12".into());
    assert!(f.check(&s, None).is_ok());
    s.name = Some("rdp-tcp#3".into());
    assert!(f.check(&s, None).unwrap_err().contains("rdp-tcp#3"));
    s.name = None;
    assert!(f.check(&s, None).unwrap_err().contains("no session name"));
    assert!(Pattern::session_name(" ").is_err());
}

#[test]
fn unreadable_idle_is_skipped_by_default_and_seen_either_way() {
    let mut f = Filters {
        idle_over: Some(Duration::from_secs(60)),
        ..Filters::default()
    };
    let s = session("a", State::Disconnected);
    let (result, seen) = f.check_seen(&s, None);
    assert!(result.unwrap_err().contains("--unknown-idle logoff"));
    assert!(matches!(seen, Some(IdleSeen::Unreadable(_))));
    f.unknown_idle = UnknownIdle::Logoff;
    let (result, seen) = f.check_seen(&s, None);
    assert!(result.is_ok());
    assert!(matches!(seen, Some(IdleSeen::Unreadable(_))));
    // Other filters still apply first: an excluded user never reaches the idle check.
    f.exclude_users = vec![Pattern::exclusion("a").unwrap()];
    assert_eq!(f.check_seen(&s, None).1, None);
    assert!(f.check(&s, None).is_err());
}

/// Issue 20: `--unknown-idle logoff` acted on an ID that `query user` showed under another
/// user. Another user on the same ID in the two tables is proof that the ID changed hands.
#[test]
fn an_id_under_another_user_in_query_user_is_never_acted_on() {
    let quser = " USERNAME              SESSIONNAME        ID  STATE   IDLE TIME  LOGON TIME\r
 mallory               rdp-tcp#1           3  Active          5  11/23/2026 8:02 AM\r
";
    let decoded =
        crate::decode::decode(quser.as_bytes(), crate::decode::CodePage::Default(437)).unwrap();
    let idle = crate::table::idle::parse(&decoded).unwrap();
    let f = Filters {
        idle_over: Some(Duration::from_secs(60)),
        unknown_idle: UnknownIdle::Logoff,
        ..Filters::default()
    };
    let (result, _) = f.check_seen(&session("alice", State::Active), Some(&idle));
    assert!(result.unwrap_err().contains("changed hands"));
    // Missing from query user: --unknown-idle logoff still acts, as documented.
    let (result, _) = f.check_seen(&session("alice", State::Active), None);
    assert!(result.is_ok());
}

#[test]
fn idle_reads_with_spaces_between_units() {
    assert_eq!(format_idle(Duration::from_secs(93_180)), "1d 1h 53m");
    assert_eq!(format_idle(Duration::from_secs(11_520)), "3h 12m");
    assert_eq!(format_idle(Duration::ZERO), "0m");
    let seen = IdleSeen::Over {
        idle: Duration::from_secs(11_520),
        limit: Duration::from_secs(7200),
    };
    assert_eq!(seen.note(), "idle 3h 12m, over 2h");
}
