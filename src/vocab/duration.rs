//! Durations on the command line: a number of seconds, or units `s`, `m`, `h`, `d` run together
//! (`90`, `90m`, `2h`, `1d12h`); each flag's bounds, and `--idle-over`, which needs its unit.

use std::fmt;
use std::time::Duration;

/// Parses a duration: a number with an optional unit `s`, `m`, `h` or `d`, or several of them
/// run together (`1d12h`, `1h30m`). A bare number is seconds.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || {
        format!("invalid duration \"{text}\": use a number of seconds or units like 90s, 30m, 2h, 1d, 1d12h")
    };
    let t = text.trim();
    if t.is_empty() {
        return Err(bad());
    }
    if t.starts_with('-') {
        return Err(negative(t));
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse::<u64>().map(Duration::from_secs).map_err(|_| bad());
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c.to_ascii_lowercase() {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            _ => return Err(bad()),
        };
        let n: u64 = number.parse().map_err(|_| bad())?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
        number.clear();
    }
    if !number.is_empty() {
        return Err(bad());
    }
    Ok(Duration::from_secs(total))
}

/// Why a duration with a minus sign is refused.
pub(crate) fn negative(text: &str) -> String {
    format!(
        "a negative duration ({text}) is refused: a wait or an idle time is counted forward \
         from now; give it without the minus sign, with its unit (e.g. 2h)"
    )
}

/// The longest `--timeout`: a `query` or `logoff` that takes longer is hung.
pub(crate) const MAX_TIMEOUT: Duration = Duration::from_secs(86400);
/// The longest `--grace`: a wait after `--warn` longer than a day is a typing error.
pub(crate) const MAX_GRACE: Duration = Duration::from_secs(86400);
/// The longest `--verify-wait`: a session still listed an hour after its logoff is stuck.
pub(crate) const MAX_VERIFY_WAIT: Duration = Duration::from_secs(3600);

/// A duration parsed, then refused above `max` (and at zero unless `zero` is allowed), with
/// what the limit is for.
fn bounded(text: &str, zero: bool, max: Duration, why: &str) -> Result<Duration, String> {
    let d = parse_duration(text)?;
    let least = if zero { "0" } else { "1s" };
    if (d.is_zero() && !zero) || d > max {
        return Err(format!(
            "\"{text}\" is out of range: give {least} to {} ({why})",
            format_duration(max)
        ));
    }
    Ok(d)
}

/// Parses `--timeout`: a duration between 1 second and 1 day.
pub(crate) fn parse_timeout(text: &str) -> Result<Duration, String> {
    bounded(
        text,
        false,
        MAX_TIMEOUT,
        "each query, msg and logoff is stopped after it; one that takes longer is hung",
    )
}

/// Parses `--grace`: a duration up to 1 day.
pub(crate) fn parse_grace(text: &str) -> Result<Duration, String> {
    bounded(
        text,
        true,
        MAX_GRACE,
        "the wait between --warn and the logoff; a longer one is a typing error",
    )
}

/// Parses `--verify-wait`: a duration up to 1 hour (0: do not verify).
pub(crate) fn parse_verify_wait(text: &str) -> Result<Duration, String> {
    bounded(
        text,
        true,
        MAX_VERIFY_WAIT,
        "how long to wait for logged-off sessions to go; 0 does not check",
    )
}

/// Parses `--idle-over`: a duration with its unit. A bare number is refused: `query user`,
/// Group Policy and other idle tools count idle time in minutes, so `120` may mean either.
pub(crate) fn parse_idle_over(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "a bare number is ambiguous: write {t}m for {t} minutes (as query user counts idle \
             time) or {t}s for {t} seconds"
        ));
    }
    parse_duration(text)
}

/// Formats a duration as the shortest of `1d2h3m`, `2h`, `45m`, `30s`.
pub fn format_duration(d: Duration) -> String {
    let mut secs = d.as_secs();
    if secs == 0 {
        return "0m".to_string();
    }
    let mut out = String::new();
    for (unit, size) in [("d", 86400), ("h", 3600), ("m", 60), ("s", 1)] {
        if secs >= size {
            out.push_str(&format!("{}{unit}", secs / size));
            secs %= size;
        }
    }
    out
}

/// A duration in seconds as people read it: `30`, `1.5`, `0.25`; with a precision (`{:.1}`),
/// rounded to that many decimals (halves away from zero). Written from the integers, so no
/// float formatting is needed anywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Secs(pub(crate) Duration);

impl fmt::Display for Secs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = self.0.as_nanos();
        match f.precision() {
            Some(places) => {
                let places = places.min(9) as u32;
                let unit = 10u128.pow(9 - places);
                let scaled = (nanos + unit / 2) / unit;
                let scale = 10u128.pow(places);
                match places {
                    0 => write!(f, "{scaled}"),
                    _ => write!(
                        f,
                        "{}.{:0width$}",
                        scaled / scale,
                        scaled % scale,
                        width = places as usize
                    ),
                }
            }
            None => {
                let (whole, part) = (nanos / 1_000_000_000, nanos % 1_000_000_000);
                if part == 0 {
                    return write!(f, "{whole}");
                }
                let digits = format!("{part:09}");
                write!(f, "{whole}.{}", digits.trim_end_matches('0'))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_in_every_documented_form() {
        let s = |t| parse_duration(t).unwrap().as_secs();
        assert_eq!(s("90"), 90);
        assert_eq!(s("90s"), 90);
        assert_eq!(s("90m"), 5400);
        assert_eq!(s("2h"), 7200);
        assert_eq!(s("1d"), 86400);
        assert_eq!(s("1d12h"), 129600);
        assert_eq!(s("1h30m"), 5400);
        for bad in ["", "m", "1.5h", "-1", "1w", "2h3"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn timeouts_are_bounded() {
        assert!(parse_timeout("0").is_err());
        assert!(parse_timeout("2d").is_err());
        assert!(parse_timeout("25h").is_err());
        assert_eq!(parse_timeout("1d").unwrap().as_secs(), 86400);
        assert_eq!(parse_timeout("1h").unwrap().as_secs(), 3600);
        assert_eq!(parse_timeout("90s").unwrap().as_secs(), 90);
    }

    /// Issue 20: `--grace` and `--verify-wait` took up to 2^64-1 seconds, a wait that never
    /// ends before the next scheduled run.
    #[test]
    fn grace_and_verify_wait_are_bounded() {
        assert_eq!(parse_grace("0").unwrap(), Duration::ZERO);
        assert_eq!(parse_grace("1d").unwrap().as_secs(), 86400);
        assert_eq!(parse_verify_wait("0").unwrap(), Duration::ZERO);
        assert_eq!(parse_verify_wait("1h").unwrap().as_secs(), 3600);
        for huge in ["18446744073709551615", "1d1s", "25h", "999999999d"] {
            let e = parse_grace(huge).unwrap_err();
            assert!(e.contains("give 0 to 1d"), "{huge}: {e}");
        }
        for huge in ["18446744073709551615", "3601", "2h"] {
            let e = parse_verify_wait(huge).unwrap_err();
            assert!(e.contains("give 0 to 1h"), "{huge}: {e}");
        }
    }

    /// Issue 20: `--idle-over 120` meant 120 seconds, while `query user` and Group Policy count
    /// idle time in minutes.
    #[test]
    fn a_bare_number_for_idle_over_is_refused_naming_both_readings() {
        let e = parse_idle_over("120").unwrap_err();
        assert!(e.contains("120m for 120 minutes"), "{e}");
        assert!(e.contains("120s for 120 seconds"), "{e}");
        assert_eq!(parse_idle_over("120m").unwrap().as_secs(), 7200);
        assert_eq!(parse_idle_over("90s").unwrap().as_secs(), 90);
        assert!(parse_idle_over("2x").is_err());
    }

    #[test]
    fn seconds_are_written_from_the_integers() {
        let ms = |n| Secs(Duration::from_millis(n));
        assert_eq!(ms(30_000).to_string(), "30");
        assert_eq!(ms(1_500).to_string(), "1.5");
        assert_eq!(ms(250).to_string(), "0.25");
        assert_eq!(
            Secs(Duration::from_nanos(1_000_000_001)).to_string(),
            "1.000000001"
        );
        assert_eq!(format!("{:.1}", ms(0)), "0.0");
        assert_eq!(format!("{:.1}", ms(1_234)), "1.2");
        assert_eq!(format!("{:.1}", ms(1_250)), "1.3");
        assert_eq!(format!("{:.1}", ms(59_960)), "60.0");
        assert_eq!(format!("{:.0}", ms(1_500)), "2");
        assert_eq!(format!("{:.3}", ms(12_345)), "12.345");
        // What people give: the same as the seconds as a decimal number.
        for n in [1, 100, 999, 1_000, 1_001, 86_400_000] {
            assert_eq!(ms(n).to_string(), format!("{}", n as f64 / 1000.0), "{n}");
            assert_eq!(
                format!("{:.1}", ms(n * 10)),
                format!("{:.1}", n as f64 / 100.0)
            );
        }
    }
}
