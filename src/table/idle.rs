//! Idle: read `query user` (quser) output into each session's idle time, joined to `query
//! session` rows by ID and checked against the user name. Anything unreadable fails closed.

use crate::decode::Decoded;
use crate::error::quote;
use crate::table::columns::{self, Column, Layout, USER_KEY};
use crate::table::parse::NotUnderstood;
use crate::table::session::{Session, SessionId};
use std::collections::HashMap;
use std::time::Duration;

/// Idle times longer than this are nonsense (old quser builds print `24692+13:29`).
const ABSURD: Duration = Duration::from_secs(366 * 86400);

/// The words quser prints for "no idle time", per language (FORMAT.md).
const NONE_WORDS: &[&str] = &[".", "none", "kein", "aucun", "ninguno"];

/// One row of `query user`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdleEntry {
    /// The user name as printed.
    pub user: String,
    /// The idle time, or why it cannot be read.
    pub idle: Result<Duration, String>,
    /// The IDLE TIME field exactly as printed (trimmed; empty when there is none).
    pub idle_text: String,
    /// The LOGON TIME field as printed (trimmed; the locale's date format).
    pub logon: String,
}

/// The `query user` table, by session ID.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdleTable {
    /// Rows by session ID.
    pub by_id: HashMap<SessionId, IdleEntry>,
    /// Lines that were not understood (their sessions then have no idle time).
    pub not_understood: Vec<NotUnderstood>,
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
        if !entry.user.eq_ignore_ascii_case(user)
            && entry.user.to_lowercase() != user.to_lowercase()
        {
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
}

/// The output is not a `query user` table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "no `query user` header (USERNAME SESSIONNAME ID STATE IDLE TIME LOGON TIME) found in \
     {lines} line(s); first line: {first:?}"
)]
pub struct NoUserHeader {
    /// Lines read.
    pub lines: usize,
    /// The first non-blank line.
    pub first: String,
}

/// Parses decoded `query user` output.
pub fn parse(decoded: &Decoded) -> Result<IdleTable, NoUserHeader> {
    let Some(layout) = decoded
        .lines
        .iter()
        .find_map(|l| columns::find_layout(l, USER_KEY))
    else {
        return Err(NoUserHeader {
            lines: decoded.lines.len(),
            first: decoded.first_text(100),
        });
    };
    let mut table = IdleTable::default();
    for line in decoded.lines.iter().filter(|l| l.number > layout.line) {
        if line.text.trim().is_empty() {
            continue;
        }
        match parse_row(&layout, line) {
            Ok((id, entry)) => {
                if table.by_id.insert(id, entry).is_some() {
                    // Two rows for one ID: neither can be trusted.
                    table.by_id.get_mut(&id).expect("just inserted").idle =
                        Err(format!("session {id} is listed twice"));
                }
            }
            Err(why) => table.not_understood.push(NotUnderstood {
                line: line.number,
                raw: line.text.clone(),
                why,
            }),
        }
    }
    Ok(table)
}

fn parse_row(
    layout: &Layout,
    line: &crate::decode::Line,
) -> Result<(SessionId, IdleEntry), String> {
    columns::slice_row(layout, line, |row| {
        row.marker()?;
        let name = row.span(Column::SessionName);
        let state = row.span(Column::State);
        let logon = row.span(Column::LogonTime);
        if row.char_at(name.start.saturating_sub(1)) != ' ' {
            return Err("the user name runs into the SESSIONNAME column".to_string());
        }
        let user = row.slice(1, name.start).trim().to_string();
        if user.is_empty() {
            return Err("no user name".to_string());
        }
        let (_, digits_end, id) = row.id(name.start)?;
        if !row.slice(digits_end, state.start).trim().is_empty() {
            return Err("unexpected text between the ID and STATE columns".to_string());
        }
        let (_, state_end) = row
            .word_at(state.start)
            .ok_or("no state word where the header puts it")?;
        let idle_text = row.slice(state_end, logon.start);
        let idle_text = idle_text.trim();
        // LOGON TIME is what follows the idle value (a long idle value pushes it right).
        let rest = row.slice(state_end, usize::MAX);
        let rest = rest.trim_start();
        let logon_text = rest
            .strip_prefix(idle_text)
            .unwrap_or(rest)
            .trim()
            .to_string();
        let idle = if idle_text.is_empty() || idle_text.contains(' ') {
            Err(format!(
                "no single idle value before LOGON TIME: {idle_text:?}"
            ))
        } else if row.char_at(logon.start) != ' '
            && row.char_at(logon.start.saturating_sub(1)) != ' '
        {
            Err("the idle value runs into the LOGON TIME column".to_string())
        } else {
            parse_idle(idle_text)
        };
        Ok((
            id,
            IdleEntry {
                user,
                idle,
                idle_text: idle_text.to_string(),
                logon: logon_text,
            },
        ))
    })
}

/// Reads an IDLE TIME value: `.` or `none` (localized) = 0, `N` minutes, `H:MM`, `D+HH:MM`.
pub fn parse_idle(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    if NONE_WORDS.iter().any(|w| t.eq_ignore_ascii_case(w)) {
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
        return Err(format!("idle time {t:?} is absurd (over a year)"));
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
