//! Idle: read `query user` (quser) output into each session's idle time, joined to `query
//! session` rows by ID and checked against the user name. Anything unreadable fails closed.

use crate::decode::{Decoded, Line};
use crate::table::header::{Kind, Layout};
use crate::table::parse::{find_header, is_blank, NotUnderstood, Row, Table};
use crate::table::row::{self, Pieces};
use crate::table::session::{Field, Session, State};
use crate::table::vocab;
use crate::vocab::quote;
use crate::vocab::SessionId;
use std::collections::HashMap;
use std::time::Duration;

/// Idle times longer than this are nonsense (old quser builds print `24692+13:29`).
const ABSURD: Duration = Duration::from_secs(366 * 86400);

/// One row of `query user`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdleEntry {
    /// The session ID.
    pub id: SessionId,
    /// The user name as printed.
    pub user: String,
    /// The session name; `None` when the column is empty (a disconnected session).
    pub session_name: Option<String>,
    /// The state word as printed.
    pub state_word: String,
    /// Whether `query user` marked the row with `>`.
    pub marked: bool,
    /// The IDLE TIME field as printed.
    pub idle_text: String,
    /// The idle time, or why it cannot be read ("unreadable": not a known format, absurd, or
    /// the session listed twice). Callers must treat `Err` as unknown, never as zero.
    pub idle: Result<Duration, String>,
    /// The LOGON TIME field as printed (trimmed; the locale's date format; empty when none).
    pub logon: String,
    /// 1-based line number.
    pub line: usize,
}

impl IdleEntry {
    /// The row as a session record (for tables given as `query user` output).
    pub fn session(&self) -> Session {
        Session {
            id: self.id,
            name: self.session_name.as_deref().map(Field::from),
            user: Some(Field::from(self.user.as_str())),
            state: State::from_word(&self.state_word),
            state_word: Field::from(self.state_word.as_str()),
            kind: None,
            device: None,
            marked_current: self.marked,
            line: self.line,
        }
    }
}

/// The `query user` table, by session ID.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdleTable {
    /// Rows by session ID.
    pub by_id: HashMap<SessionId, IdleEntry>,
    /// The IDs in table order.
    pub order: Vec<SessionId>,
    /// Lines that were not understood (their sessions then have no idle time).
    pub not_understood: Vec<NotUnderstood>,
    /// The header, when one was found.
    pub header: Option<Layout>,
}

impl IdleTable {
    /// The idle time of a `query session` row: the `query user` row with the same ID and the
    /// same user name, else why not.
    pub fn idle_of(&self, s: &Session) -> Result<Duration, String> {
        let user = s.user.as_deref().unwrap_or("");
        let entry = self
            .by_id
            .get(&s.id)
            .ok_or_else(|| "idle time unknown: session not listed by query user".to_string())?;
        if !vocab::same_word(&entry.user, user) {
            return Err(format!(
                "idle time unknown: query user lists {} for session {}, not {}",
                quote(&entry.user),
                s.id,
                quote(user)
            ));
        }
        entry
            .idle
            .clone()
            .map_err(|e| format!("idle time unreadable: {e}"))
    }

    /// The rows in table order.
    pub fn entries(&self) -> impl Iterator<Item = &IdleEntry> {
        self.order.iter().filter_map(|id| self.by_id.get(id))
    }

    /// The table as `query session` rows (session name, user, ID, state, marker), for
    /// planning from a `query user` output; lines not understood stay not understood.
    pub fn to_table(&self) -> Option<Table> {
        let mut rows: Vec<(usize, Row)> = self
            .entries()
            .map(|e| (e.line, Row::Session(e.session())))
            .chain(
                self.not_understood
                    .iter()
                    .map(|n| (n.line, Row::NotUnderstood(n.clone()))),
            )
            .collect();
        crate::vocab::order::sort_by_key(&mut rows, |(line, _)| *line);
        Some(Table {
            header: self.header.clone()?,
            rows: rows.into_iter().map(|(_, r)| r).collect(),
            counters: Vec::new(),
        })
    }
}

/// The output is not a `query user` table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "no `query user` table found in {lines} line(s): no line has the shape of its header \
     (USERNAME SESSIONNAME ID STATE IDLE TIME LOGON TIME, in any language); first line: {first:?}"
)]
pub struct NoUserHeader {
    /// Lines read.
    pub lines: usize,
    /// The first non-blank line, leading spaces kept.
    pub first: String,
}

/// Parses decoded `query user` output.
pub fn parse(decoded: &Decoded) -> Result<IdleTable, NoUserHeader> {
    let layout = match find_header(decoded) {
        Some(layout) if layout.kind == Kind::User => layout,
        _ => {
            return Err(NoUserHeader {
                lines: decoded.lines.len(),
                first: decoded.first_text(100),
            })
        }
    };
    let mut table = IdleTable::default();
    for line in decoded.lines.iter().filter(|l| l.number > layout.line) {
        if is_blank(&line.text) || line.text == layout.text {
            continue;
        }
        match row::read(&layout, line, |p| entry_of(p, line)) {
            Ok(entry) => {
                let id = entry.id;
                if let Some(first) = table.by_id.get_mut(&id) {
                    // Two rows for one ID: neither can be trusted.
                    first.idle = Err(format!("session {id} is listed twice"));
                } else {
                    table.order.push(id);
                    table.by_id.insert(id, entry);
                }
            }
            Err(why) => table.not_understood.push(NotUnderstood {
                line: line.number,
                raw: line.text.to_string(),
                why,
            }),
        }
    }
    table.header = Some(layout);
    Ok(table)
}

fn entry_of(p: Pieces<'_>, line: &Line) -> Result<IdleEntry, String> {
    if p.first.is_empty() {
        return Err("no user name".to_string());
    }
    if p.second.contains(' ') {
        return Err(format!(
            "the SESSIONNAME column holds {:?}, more than one word",
            p.second
        ));
    }
    // IDLE TIME is the first word after STATE (it may start left of its title when it is wider,
    // as `отсутствует` does); LOGON TIME follows in the locale's date format.
    let tail = p.tail.trim_start();
    let idle_text = tail
        .split_whitespace()
        .next()
        .ok_or("no IDLE TIME value after the state word")?
        .to_string();
    let logon = tail[idle_text.len()..].trim().to_string();
    Ok(IdleEntry {
        id: p.id,
        user: p.first.into_owned(),
        session_name: (!p.second.is_empty()).then(|| p.second.into_owned()),
        state_word: p.state.into_owned(),
        marked: p.marked,
        idle: parse_idle(&idle_text),
        idle_text,
        logon,
        line: line.number,
    })
}

/// Reads an IDLE TIME value: `.` or `none` (localized) = 0, `N` minutes, `H:MM`, `D+HH:MM`.
pub fn parse_idle(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    if vocab::is_idle_none(t) {
        return Ok(Duration::ZERO);
    }
    let bad = || format!("idle time {t:?} is not `.`, N, H:MM or D+HH:MM");
    let number = |s: &str| -> Result<u64, String> {
        if s.is_empty() || s.len() > 7 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        s.parse().map_err(|_| bad())
    };
    let (days, rest) = match t.split_once('+') {
        Some((d, rest)) => (number(d)?, rest),
        None => (0, t),
    };
    let minutes = match rest.split_once(':') {
        Some((hs, ms)) => {
            let (h, m) = (number(hs)?, number(ms)?);
            if ms.len() != 2 || m >= 60 || (t.contains('+') && h >= 24) {
                return Err(bad());
            }
            h * 60 + m
        }
        None if !t.contains('+') => number(rest)?,
        None => return Err(bad()),
    };
    let idle = Duration::from_secs((days * 1440 + minutes) * 60);
    if idle > ABSURD {
        return Err(format!(
            "idle time {t:?} is absurd (over a year): unreadable"
        ));
    }
    Ok(idle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode, CodePage};

    #[test]
    fn every_idle_format_reads() {
        let m = |t| parse_idle(t).map(|d| d.as_secs() / 60);
        for (text, minutes) in [
            (".", 0),
            ("none", 0),
            ("Kein", 0),
            ("aucun", 0),
            ("ninguno", 0),
            ("0", 0),
            ("5", 5),
            ("59", 59),
            ("1:02", 62),
            ("23:59", 1439),
            ("1+02:13", 1573),
            ("12+00:00", 17280),
        ] {
            assert_eq!(m(text), Ok(minutes), "{text}");
        }
        for bad in [
            "",
            "-1",
            "1:2",
            "1:60",
            "1+24:00",
            "1+2",
            "x",
            "1.5",
            "24692+13:29",
            "1:02:03",
        ] {
            assert!(parse_idle(bad).is_err(), "{bad:?}");
        }
    }

    const QUSER: &str =
        " USERNAME              SESSIONNAME        ID  STATE   IDLE TIME  LOGON TIME
>alice                 rdp-tcp#3           3  Active          .  11/23/2026 8:02 AM
 bob                                       4  Disc        1+02:13  11/22/2026 4:55 PM
 carol                 rdp-tcp#5           5  Active       24692+13:29  1/1/1601 12:00 AM
";

    #[test]
    fn query_user_rows_join_by_id() {
        let t = parse(&decode(QUSER.as_bytes(), CodePage::Default(437)).unwrap()).unwrap();
        assert_eq!(t.by_id[&SessionId::new(3)].idle, Ok(Duration::ZERO));
        assert_eq!(t.by_id[&SessionId::new(4)].user, "bob");
        assert_eq!(
            t.by_id[&SessionId::new(4)].idle,
            Ok(Duration::from_secs(1573 * 60))
        );
        assert!(t.by_id[&SessionId::new(5)].idle.is_err());
    }
}
