//! Duplicate IDs: an ID printed on two rows cannot say which session `logoff <id>` would end
//! (one of them may be the caller's own session, the console or a listener printed again), so
//! no row with it is logged off; nor is an ID that stands on a line that was not understood.

use crate::table::parse::{Row, Table};
use crate::vocab::SessionId;
use std::collections::HashMap;

/// IDs that no row may be logged off under, with why: an ID on two or more rows (one of them
/// may be the own session, the console or a listener printed again), and any number standing
/// as a word on a line that was not understood (it may be that row's ID).
pub(crate) fn shared_ids(table: &Table) -> HashMap<SessionId, String> {
    // Sorting the (ID, line) pairs finds the repeats without hashing every row.
    let mut ids: Vec<(usize, usize)> = table
        .sessions()
        .map(|s| (s.id.get() as usize, s.line))
        .collect();
    if !ids.windows(2).all(|w| w[0].0 < w[1].0) {
        ids.sort_unstable();
    }
    let mut shared = HashMap::new();
    for pair in ids.windows(2) {
        let ((id, first), (again, line)) = (pair[0], pair[1]);
        // The IDs came from `SessionId`s, so they convert back.
        if let (true, Ok(id)) = (id == again, u32::try_from(id)) {
            shared
                .entry(SessionId::new(id))
                .or_insert_with(|| format!("session {id} is on lines {first} and {line}"));
        }
    }
    for row in &table.rows {
        if let Row::NotUnderstood(n) = row {
            for word in n.raw.split_whitespace() {
                if let Some(id) = SessionId::parse(word) {
                    shared.entry(id).or_insert_with(|| {
                        format!("line {} (not understood) may also be session {id}", n.line)
                    });
                }
            }
        }
    }
    shared
}

#[cfg(test)]
mod tests {
    use crate::decode::{decode, CodePage};
    use crate::plan::filter::{parse_state, Filters};
    use crate::plan::{plan, Options, Plan};
    use crate::table::parse::parse;

    fn plan_of(text: &str, options: Options<'_>) -> Plan {
        let table = parse(&decode(text.as_bytes(), CodePage::Default(437)).unwrap()).unwrap();
        plan(table, options)
    }

    fn codes(p: &Plan) -> Vec<&'static str> {
        p.entries.iter().map(|e| e.reason.code()).collect()
    }

    const HEADER: &str = " SESSIONNAME       USERNAME                 ID  STATE\n";

    #[test]
    fn an_unmarked_row_repeating_the_own_session_s_id_is_not_logged_off() {
        let text = format!(
            "{HEADER}>rdp-tcp#0         admin                     2  Active\n \
             rdp-tcp#1         mallory                   2  Active\n \
             rdp-tcp#3         carol                     3  Active\n"
        );
        let p = plan_of(&text, Options::default());
        assert_eq!(codes(&p), ["own_session", "duplicate_id", "user_session"]);
        assert!(p.entries[1].reason.text().contains("duplicate ID"));
        // Even when the own session is included: two rows, one ID, nobody logged off by it.
        let p = plan_of(
            &text,
            Options {
                include_self: true,
                ..Options::default()
            },
        );
        assert_eq!(codes(&p), ["duplicate_id", "duplicate_id", "user_session"]);
    }

    #[test]
    fn an_id_standing_on_a_line_not_understood_is_not_logged_off() {
        let text = format!(
            "{HEADER} rdp-tcp#1         alice                     4  Active\n \
             rdp-tcp#2\tbob\t4\tActive\n"
        );
        let p = plan_of(&text, Options::default());
        assert_eq!(codes(&p), ["duplicate_id", "not_understood"]);
    }

    #[test]
    fn an_unknown_state_word_blocks_only_a_state_filter() {
        let text = format!("{HEADER} rdp-tcp#1         alice                     4  Zombie\n");
        assert_eq!(codes(&plan_of(&text, Options::default())), ["user_session"]);
        let filters = Filters {
            states: vec![parse_state("disc").unwrap(), parse_state("active").unwrap()],
            ..Filters::default()
        };
        let p = plan_of(
            &text,
            Options {
                filters: Some(&filters),
                ..Options::default()
            },
        );
        assert_eq!(codes(&p), ["unknown_state"]);
    }

    #[test]
    fn localized_state_words_satisfy_the_english_state_filter() {
        let text = " SITZUNGSNAME      BENUTZERNAME             ID  STATUS\n \
                    rdp-tcp#1         anna                      4  Getr.\n \
                    rdp-tcp#2         bernd                     5  Aktiv\n";
        let filters = Filters {
            states: vec![parse_state("disconnected").unwrap()],
            ..Filters::default()
        };
        let p = plan_of(
            text,
            Options {
                filters: Some(&filters),
                ..Options::default()
            },
        );
        assert_eq!(codes(&p), ["user_session", "filtered_out"]);
    }
}
