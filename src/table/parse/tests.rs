//! Unit tests of the `query session` table reader.

use super::*;
use crate::decode::{decode, CodePage};

fn table(text: &str) -> Table {
    parse(&decode(text.as_bytes(), CodePage::Default(437)).unwrap()).unwrap()
}

const MODERN: &str = " SESSIONNAME       USERNAME                 ID  STATE   TYPE        DEVICE \r
 services                                    0  Disc                        \r
>console           Administrator             1  Active                      \r
 rdp-tcp#3         alice                     3  Active                      \r
                   bob                       4  Disc                        \r
 rdp-tcp                                 65536  Listen                      \r
";

#[test]
fn modern_table_slices_by_header_positions() {
    let t = table(MODERN);
    let s: Vec<&Session> = t.sessions().collect();
    assert_eq!(s.len(), 5);
    assert_eq!(s[1].name.as_deref(), Some("console"));
    assert!(s[1].marked_current);
    assert_eq!(s[1].user.as_deref(), Some("Administrator"));
    // The disconnected row: empty session name, user and ID still in their columns.
    assert_eq!(s[3].name, None);
    assert_eq!(s[3].user.as_deref(), Some("bob"));
    assert_eq!(s[3].id.get(), 4);
    assert_eq!(s[3].state, State::Disconnected);
    assert_eq!(s[4].id.get(), 65536);
    assert_eq!(s[4].user, None);
}

#[test]
fn shifted_id_is_not_understood() {
    let text = format!(
        "{}\n                   carol                    7  Disc\n",
        MODERN.lines().next().unwrap()
    );
    let t = table(&text);
    match &t.rows[0] {
        Row::NotUnderstood(n) => assert!(n.why.contains("ID"), "{}", n.why),
        other => panic!("{other:?}"),
    }
}

#[test]
fn counter_lines_are_kept_apart() {
    let text = format!("{MODERN}Total sessions created: 7\r\nTotal sessions disconnected: 2\r\n");
    let t = table(&text);
    assert_eq!(t.counters.len(), 2);
    assert_eq!(t.sessions().count(), 5);
}

#[test]
fn a_counter_line_with_rows_after_it_is_refused_not_dropped() {
    // Its ID (5) stands on a refused line, so bob's 5 is not logged off either.
    let text = " SESSIONNAME       USERNAME                 ID  STATE   TYPE        DEVICE
 rdp-tcp#1         carol                     6  Active
Total: 5
 rdp-tcp#2         bob                       5  Active
";
    let t = table(text);
    assert!(t.counters.is_empty());
    assert!(matches!(&t.rows[1], Row::NotUnderstood(n) if n.line == 3));
    assert_eq!(t.sessions().count(), 2);
}

#[test]
fn without_a_marker_column_nothing_is_taken_for_a_counter() {
    // A paste that lost column 0 everywhere: a row ending in `COM:5` is a row (with its
    // ID 5), never a counter line dropped out of sight.
    let text = "SESSIONNAME       USERNAME                 ID  STATE   TYPE        DEVICE
rdp-tcp#1         alice                     5  Active  rdpwd       COM:5
rdp-tcp#2         bob                       5  Active  rdpwd
";
    let t = table(text);
    assert!(t.counters.is_empty());
    let ids: Vec<u32> = t.sessions().map(|s| s.id.get()).collect();
    assert_eq!(ids, [5, 5]);
}

#[test]
fn a_row_ending_in_a_port_is_not_a_counter_line() {
    // Column gaps before the `:3389`: a row (refused for its first column), so its ID 4
    // blocks bob's 4 too; never "1 /counter line ignored".
    let text = " SESSIONNAME       USERNAME                 ID  STATE   TYPE        DEVICE
 rdp-tcp#1         bob                       4  Active
Xrdp-tcp#5         carol                     4  Active  rdpwd       10.0.0.9:3389
";
    let t = table(text);
    assert!(t.counters.is_empty());
    assert!(matches!(&t.rows[1], Row::NotUnderstood(n) if n.line == 3));
}

#[test]
fn query_user_header_is_refused_by_name() {
    let text = " USERNAME              SESSIONNAME        ID  STATE   IDLE TIME  LOGON TIME\n";
    let err = parse(&decode(text.as_bytes(), CodePage::Default(437)).unwrap()).unwrap_err();
    assert_eq!(err, ParseError::QueryUserTable { line: 1 });
}

#[test]
fn unknown_word_among_key_columns_is_no_header() {
    let text = " SESSIONNAME  FOO  USERNAME   ID  STATE\n x  y  1  Active\n";
    let err = parse(&decode(text.as_bytes(), CodePage::Default(437)).unwrap()).unwrap_err();
    assert!(matches!(err, ParseError::NoHeader { .. }));
}

#[test]
fn width_unit_lines_up_double_width_user_names() {
    // Padded in display columns (bytes under CP932): 山田 takes four columns.
    let text = " SESSIONNAME       USERNAME                 ID  STATE\n rdp-tcp#1         山田                      2  Active\n";
    let t = table(text);
    let s: Vec<&Session> = t.sessions().collect();
    assert_eq!(s.len(), 1, "{:?}", t.rows);
    assert_eq!(s[0].user.as_deref(), Some("山田"));
    assert_eq!(s[0].id.get(), 2);
}

/// Issue 20: two outputs appended to one file (`query session >> s.txt` run twice, or a
/// `query user` after it) were read as one table, the header printed again skipped silently.
/// Which rows belong to which output cannot be told: the whole table is refused.
#[test]
fn a_second_header_refuses_the_whole_table() {
    let header = MODERN.lines().next().unwrap();
    let second =
        format!("{MODERN}{header}\n rdp-tcp#9         mallory                   9  Active\n");
    let err = parse(&decode(second.as_bytes(), CodePage::Default(437)).unwrap()).unwrap_err();
    assert_eq!(err, ParseError::SecondHeader { first: 1, line: 7 });
    assert!(
        err.to_string().contains("give one `query session` output"),
        "{err}"
    );
    // Trailing spaces cut in one copy only, and another table's header, are a header too.
    for again in [
        header.trim_end().to_string(),
        " USERNAME              SESSIONNAME        ID  STATE   IDLE TIME  LOGON TIME".to_string(),
    ] {
        let text = format!("{MODERN}{again}\n>alice                 rdp-tcp#3           3  Active          .  11/23/2026 8:02 AM\n");
        let err = parse(&decode(text.as_bytes(), CodePage::Default(437)).unwrap()).unwrap_err();
        assert!(
            matches!(err, ParseError::SecondHeader { first: 1, line: 7 }),
            "{again}: {err}"
        );
    }
    // A user whose name holds "ID" is a row, not a header.
    let t = table(&format!(
        "{MODERN} rdp-tcp#8         ID ADMIN                  8  Active\n"
    ));
    assert_eq!(
        t.sessions().last().and_then(|s| s.user.as_deref()),
        Some("ID ADMIN")
    );
}
