//! Logon and idle time for programs: the LOGON TIME that `query user` prints, read as an ISO 8601
//! local time (`2026-11-23T08:02:00`, what PowerShell's `[datetime]` reads), and the idle time
//! in whole minutes. A logon text that cannot be read for certain gives nothing.

use std::time::Duration;

/// The idle time in whole minutes (what `query user` and Group Policy count in).
pub(crate) fn idle_minutes(idle: Duration) -> u64 {
    idle.as_secs() / 60
}

/// The logon time as ISO 8601 local time, when the text is one of the shapes `query user`
/// prints: `11/23/2026 8:02 AM` (month first with AM/PM, as en-US), `23/11/2026 08:02` (day
/// first on a 24-hour clock: en-GB, French, Spanish), `23.11.2026 08:02` (German, Russian),
/// `2023/11/7 13:19` (year first: Chinese, Japanese); seconds may follow the minutes. `None`
/// for anything else, an impossible date, or a year before 1980 (`1/1/1601 12:00 AM` is how
/// Windows prints "never").
pub(crate) fn logon_iso(text: &str) -> Option<String> {
    let mut words = text.split_whitespace();
    let date = words.next()?;
    let time = words.next()?;
    let marker = match words.next() {
        None => None,
        Some(m) => Some(am_pm(m)?),
    };
    if words.next().is_some() {
        return None;
    }
    let separator = date.chars().find(|c| matches!(c, '/' | '.' | '-'))?;
    let parts: Vec<u32> = date
        .split(separator)
        .map(number)
        .collect::<Option<Vec<u32>>>()?;
    let [a, b, c] = parts[..] else {
        return None;
    };
    let year_first = date.split(separator).next().is_some_and(|p| p.len() == 4);
    let (year, month, day) = match (separator, year_first, marker.is_some()) {
        (_, true, _) => (a, b, c),
        ('/', false, true) => (c, a, b),
        (_, false, _) => (c, b, a),
    };
    if !(1980..=9999).contains(&year) || !(1..=12).contains(&month) {
        return None;
    }
    if day == 0 || day > days_in(year, month) {
        return None;
    }
    let clock: Vec<u32> = time.split(':').map(number).collect::<Option<Vec<u32>>>()?;
    let (mut hour, minute, second) = match clock[..] {
        [h, m] => (h, m, 0),
        [h, m, s] => (h, m, s),
        _ => return None,
    };
    if let Some(pm) = marker {
        if !(1..=12).contains(&hour) {
            return None;
        }
        hour = hour % 12 + if pm { 12 } else { 0 };
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some(format!(
        "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}"
    ))
}

/// `AM` → false, `PM` → true (any case, `a.m.` too); anything else is not read.
fn am_pm(word: &str) -> Option<bool> {
    match word.to_ascii_lowercase().replace('.', "").as_str() {
        "am" => Some(false),
        "pm" => Some(true),
        _ => None,
    }
}

/// A field of one to four ASCII digits.
fn number(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn days_in(year: u32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_logon_shape_query_user_prints_is_read() {
        for (text, iso) in [
            ("11/23/2026 8:02 AM", "2026-11-23T08:02:00"),
            ("11/22/2026 4:55 PM", "2026-11-22T16:55:00"),
            ("11/24/2026 12:05 AM", "2026-11-24T00:05:00"),
            ("11/24/2026 12:05 PM", "2026-11-24T12:05:00"),
            ("23/11/2026 08:02", "2026-11-23T08:02:00"),
            ("23.11.2026 08:02", "2026-11-23T08:02:00"),
            ("2023/11/7 13:19", "2023-11-07T13:19:00"),
            ("2023/11/7 9:02:30", "2023-11-07T09:02:30"),
            ("29.02.2024 10:00", "2024-02-29T10:00:00"),
        ] {
            assert_eq!(logon_iso(text).as_deref(), Some(iso), "{text}");
        }
    }

    #[test]
    fn unreadable_or_impossible_logon_times_give_nothing() {
        for text in [
            "",
            "1/1/1601 12:00 AM",
            "01.01.1601 00:00",
            "13/23/2026 8:02 AM",
            "30.02.2026 10:00",
            "23.11.2026 25:00",
            "11/23/2026 13:02 PM",
            "23.11.2026",
            "yesterday 8:02",
            "23.11.2026 08:02 Uhr",
        ] {
            assert_eq!(logon_iso(text), None, "{text}");
        }
    }

    #[test]
    fn idle_minutes_are_whole_minutes() {
        assert_eq!(idle_minutes(Duration::from_secs(59)), 0);
        assert_eq!(idle_minutes(Duration::from_secs(93_180)), 1553);
    }
}
