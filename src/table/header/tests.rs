//! Unit tests of finding tables by shape: unknown languages, display width, paste damage,
//! refusals, messages and the cost of crafted input.

use crate::decode::{decode, CodePage, Decoded};
use crate::table::header::Kind;
use crate::table::idle;
use crate::table::parse::{find_header, parse, ParseError, Row, Table};
use crate::table::session::Session;
use std::time::{Duration, Instant};

fn decoded(text: &str) -> Decoded<'_> {
    decode(text.as_bytes(), CodePage::Default(437)).unwrap()
}

fn table(text: &str) -> Table {
    parse(&decoded(text)).unwrap()
}

fn sessions(t: &Table) -> Vec<(u32, &str, &str, &str)> {
    t.sessions()
        .map(|s: &Session| {
            (
                s.id.get(),
                s.name.as_deref().unwrap_or(""),
                s.user.as_deref().unwrap_or(""),
                s.state_word.as_str(),
            )
        })
        .collect()
}

fn lines(lines: &[&str]) -> String {
    lines.join("\n") + "\n"
}

#[test]
fn a_header_in_a_language_no_list_knows_is_found_by_its_shape() {
    let t = table(&lines(&[
        " NAZWA SESJI       NAZWA UŻYTKOWNIKA        ID  STAN    TYP         URZĄDZENIE",
        " services                                    0  Rozł.",
        " rdp-tcp#1         kowalski                  2  Aktywny",
        "                   nowak                     3  Rozł.",
    ]));
    assert_eq!(
        sessions(&t),
        [
            (0, "services", "", "Rozł."),
            (2, "rdp-tcp#1", "kowalski", "Aktywny"),
            (3, "", "nowak", "Rozł."),
        ]
    );
}

#[test]
fn single_spaces_between_titles_are_settled_by_the_rows() {
    // One space between two unknown titles: only the rows say where the second starts.
    let t = table(&lines(&[
        " NAZWA_SESJI UŻYTKOWNIK   ID  STAN",
        " services                  0  Disc",
        " rdp-tcp#1   alice         2  Active",
        "             bob           3  Disc",
    ]));
    assert_eq!(
        sessions(&t),
        [
            (0, "services", "", "Disc"),
            (2, "rdp-tcp#1", "alice", "Active"),
            (3, "", "bob", "Disc")
        ]
    );
}

#[test]
fn which_table_it_is_comes_from_session_names_that_are_never_localized() {
    // Unknown titles; `console` in the second column makes it a `query user` table.
    let text = &lines(&[
        " UTENTE                NOMESESSIONE       ID  STATO   INATTIVITÀ  ACCESSO",
        " mario                 console             1  Attivo      nessuno  1/1/2026 9:00",
    ]);
    let layout = find_header(&decoded(text)).unwrap();
    assert_eq!(layout.kind, Kind::User);
    assert_eq!(
        parse(&decoded(text)),
        Err(ParseError::QueryUserTable { line: 1 })
    );
    let users = idle::parse(&decoded(text)).unwrap();
    let entry = users.entries().next().unwrap();
    assert_eq!(
        (entry.user.as_str(), entry.idle_text.as_str()),
        ("mario", "nessuno")
    );
    assert!(
        entry.idle.is_err(),
        "an unknown idle word is unreadable, not zero"
    );
}

/// Issue 20: a user named `console`, `services` or `rdp-tcp` (words the rows use to tell the
/// two tables apart) made the whole table "not understood", so nobody was logged off while that
/// user was on. Such a row is read by its columns: the name in the USERNAME column is a user.
#[test]
fn users_named_like_session_names_are_read_by_their_columns() {
    // Known titles settle it, even when the user column shows more such names.
    let t = table(&lines(&[
        " SESSIONNAME       USERNAME                 ID  STATE   TYPE        DEVICE",
        " rdp-tcp#1         alice                     2  Active",
        "                   console                   3  Disc",
        "                   services                  4  Disc",
        " rdp-tcp#7         rdp-tcp                   5  Active",
    ]));
    assert_eq!(t.header.kind, Kind::Session);
    assert_eq!(
        sessions(&t),
        [
            (2, "rdp-tcp#1", "alice", "Active"),
            (3, "", "console", "Disc"),
            (4, "", "services", "Disc"),
            (5, "rdp-tcp#7", "rdp-tcp", "Active"),
        ]
    );
    assert!(t.sessions().all(|s| !s.is_console() && !s.is_services()));
    // Unknown titles: the column with more session names is SESSIONNAME.
    let t = table(&lines(&[
        " NAZWA SESJI       NAZWA UŻYTKOWNIKA        ID  STAN    TYP         URZĄDZENIE",
        " services                                    0  Rozł.",
        " rdp-tcp#1         console                   2  Aktywny",
        " rdp-tcp                                 65536  Nasłuch.",
    ]));
    assert_eq!(t.header.kind, Kind::Session);
    assert_eq!(sessions(&t)[1], (2, "rdp-tcp#1", "console", "Aktywny"));
    // Unknown titles and as many session names in either column: which table it is cannot
    // be told, and it is refused.
    let text = lines(&[
        " NAZWA SESJI       NAZWA UŻYTKOWNIKA        ID  STAN",
        " rdp-tcp#1         console                   2  Aktywny",
    ]);
    assert!(matches!(
        parse(&decoded(&text)),
        Err(ParseError::NoHeader { .. })
    ));
}

#[test]
fn prose_holding_the_word_id_is_not_a_header() {
    for text in [
        " The session ID is shown by qwinsta\n and more text\n",
        " Handles  NPM(K)    PM(K)      WS(K)     CPU(s)     Id  SI ProcessName\n     245      13     2856      11068       0.05   1234   1 svchost\n",
    ] {
        assert!(
            matches!(parse(&decoded(text)), Err(ParseError::NoHeader { .. })),
            "{text}"
        );
    }
}

#[test]
fn an_overrunning_state_word_pushes_only_its_own_row() {
    let t = table(&lines(&[
        " СЕАНС             ПОЛЬЗОВАТЕЛЬ             ID  СТАТУС  ТИП         УСТР-ВО",
        " rdp-tcp#2         ivanov                    2  Подключено rdpwd",
        " rdp-tcp#3         petrov                    3  Активно rdpwd",
    ]));
    let s: Vec<&Session> = t.sessions().collect();
    assert_eq!(s[0].state_word, "Подключено");
    assert_eq!(s[0].kind.as_deref(), Some("rdpwd"));
    assert_eq!(s[1].state_word, "Активно");
}

#[test]
fn a_wide_line_is_not_a_table_and_a_crafted_header_stays_linear() {
    // One word repeated 200,000 times (about 1 MB): refused without quadratic work.
    let crafted = format!(" {}\n", "SESSIONNAME ID ".repeat(200_000 / 2));
    assert!(crafted.len() > 1_000_000);
    let started = Instant::now();
    let err = parse(&decoded(&crafted)).unwrap_err();
    assert!(matches!(err, ParseError::NoHeader { .. }), "{err}");
    // Also as many short would-be headers, each checked against the lines after it.
    let many = " A  B  ID  C\n".repeat(80_000);
    assert!(parse(&decoded(&many)).is_err());
    let spent = started.elapsed();
    assert!(spent < Duration::from_secs(2), "took {spent:?}");
}

#[test]
fn a_header_with_too_many_titles_is_not_a_header() {
    let titles: Vec<String> = (0..40).map(|i| format!("T{i}")).collect();
    let text = format!(
        " SESSIONNAME  USERNAME  ID  {}\n x  y  1  Active\n",
        titles.join("  ")
    );
    assert!(matches!(
        parse(&decoded(&text)),
        Err(ParseError::NoHeader { .. })
    ));
}

#[test]
fn code_page_advice_only_when_bytes_or_text_point_to_it() {
    // \r\r\n line ends: the text is clean, so no advice about code pages.
    let err = parse(&decoded("  some text\r\r\n more\r\r\n")).unwrap_err();
    let message = err.to_string();
    assert!(!message.contains("--codepage"), "{message}");
    assert!(
        message.contains("\"  some text\""),
        "leading spaces quoted: {message}"
    );
    // Bytes that are not valid in the code page.
    let bad = decode(b"\x81\x8d junk\r\n", CodePage::Forced(1252)).unwrap();
    assert!(parse(&bad).unwrap_err().to_string().contains("--codepage"));
    // Cyrillic windows-1251 bytes read as CP437 come out as box-drawing characters.
    let moji = decode(
        b"\xCE\xF8\xE8\xE1\xEA\xE0 [5]: \xCE\xF2\xEA\xE0\xE7\xE0\xED\xEE\r\n",
        CodePage::Forced(437),
    )
    .unwrap();
    assert!(parse(&moji).unwrap_err().to_string().contains("--codepage"));
}

#[test]
fn rows_of_mojibake_are_refused_with_the_advice_and_a_table_of_them_as_a_whole() {
    let text = &lines(&[
        " SESSIONNAME       USERNAME                 ID  STATE",
        " rdp-tcp#1         ╒┼╬░                      1  Active",
    ]);
    match parse(&decoded(text)) {
        Err(ParseError::WrongCodePage { line: 2, why, .. }) => {
            assert!(why.contains("--codepage"), "{why}")
        }
        other => panic!("{other:?}"),
    }
    let mixed = format!("{text} rdp-tcp#2         bob                       2  Active\n");
    let t = table(&mixed);
    assert!(matches!(t.rows[0], Row::NotUnderstood(_)));
    assert_eq!(sessions(&t), [(2, "rdp-tcp#2", "bob", "Active")]);
}

#[test]
fn a_state_word_in_the_wrong_code_page_is_only_an_unknown_state() {
    let t = table(&lines(&[
        " SITZUNGSNAME      BENUTZERNAME             ID  STATUS  TYP         GER\u{FFFD}T",
        " rdp-tcp                                 65536  Abh\u{FFFD}r.",
        " rdp-tcp#1         anna                      2  Aktiv",
    ]));
    let s: Vec<&Session> = t.sessions().collect();
    assert_eq!(s.len(), 2);
    assert!(matches!(
        s[0].state,
        crate::table::session::State::Unknown(_)
    ));
    assert!(s[0].is_listener(), "by its ID");
}

/// Found by fuzzing: CP437 byte 0xFF is a non-breaking space, which passed for a user name.
#[test]
fn blanks_that_are_not_spaces_refuse_the_row() {
    let t = table(&lines(&[
        " SESSIONNAME       USERNAME                 ID  STATE",
        ">rdp-tcp#1         \u{a0}\u{a0}\u{a0}                       2  Active",
        " rdp-tcp#3         carol                     3  Active",
    ]));
    assert!(matches!(&t.rows[0], Row::NotUnderstood(n) if n.why.contains("U+00A0")));
    assert_eq!(sessions(&t), [(3, "rdp-tcp#3", "carol", "Active")]);
}
