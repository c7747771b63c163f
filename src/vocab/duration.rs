//! Durations on the command line: a number of seconds, or units `s`, `m`, `h`, `d` run together
//! (`90`, `90m`, `2h`, `1d12h`).

use std::time::Duration;

/// Parses a duration: a number with an optional unit `s`, `m`, `h` or `d`, or several of them
/// run together (`1d12h`, `1h30m`). A bare number is seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || {
        format!("invalid duration \"{text}\": use a number of seconds or units like 90s, 30m, 2h, 1d, 1d12h")
    };
    let t = text.trim();
    if t.is_empty() {
        return Err(bad());
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

/// Parses `--timeout`: a duration between 1 second and 1 day.
pub fn parse_timeout(text: &str) -> Result<Duration, String> {
    let d = parse_duration(text)?;
    if d.is_zero() || d > Duration::from_secs(86400) {
        return Err(format!(
            "timeout \"{text}\" must be between 1 second and 1 day"
        ));
    }
    Ok(d)
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
        assert_eq!(parse_timeout("90s").unwrap().as_secs(), 90);
    }
}
