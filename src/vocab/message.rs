//! The words of a `--warn` message: the grace period as people write it, and the text as sent.

use crate::vocab::Verb;
use std::time::Duration;

/// The placeholder in a `--warn` message that becomes the grace period in words.
pub(crate) const GRACE_PLACEHOLDER: &str = "{grace}";

/// A duration in words for people: "90 seconds", "5 minutes", "1 hour 30 minutes".
pub(crate) fn grace_words(d: Duration) -> String {
    let secs = d.as_secs();
    let unit = |n: u64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if secs < 120 && secs % 60 != 0 {
        return unit(secs, "second");
    }
    let mut parts = Vec::new();
    for (value, word) in [
        (secs / 86400, "day"),
        (secs % 86400 / 3600, "hour"),
        (secs % 3600 / 60, "minute"),
        (secs % 60, "second"),
    ] {
        if value > 0 {
            parts.push(unit(value, word));
        }
    }
    if parts.is_empty() {
        return unit(0, "second");
    }
    parts.join(" ")
}

/// The text sent to users when `left` remains: `{grace}` replaced with `left` in words; without
/// the placeholder, ", logoff in 5 minutes" (or "disconnect") is appended unless `exact`.
pub(crate) fn render(message: &str, left: Duration, exact: bool, verb: Verb) -> String {
    let words = grace_words(left);
    if message.contains(GRACE_PLACEHOLDER) {
        return message.replace(GRACE_PLACEHOLDER, &words);
    }
    if exact {
        return message.to_string();
    }
    let message = message.trim_end();
    if message.ends_with(['.', '!', '?', ':', ';', ',']) {
        let noun = verb.noun();
        let mut capital = noun[..1].to_uppercase();
        capital.push_str(&noun[1..]);
        format!("{message} {capital} in {words}.")
    } else {
        format!("{message}, {} in {words}", verb.noun())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grace_in_words_reads_like_a_person_wrote_it() {
        let w = |s| grace_words(Duration::from_secs(s));
        assert_eq!(w(300), "5 minutes");
        assert_eq!(w(90), "90 seconds");
        assert_eq!(w(5400), "1 hour 30 minutes");
        assert_eq!(w(60), "1 minute");
        assert_eq!(w(1), "1 second");
        assert_eq!(w(150), "2 minutes 30 seconds");
        assert_eq!(w(90_000), "1 day 1 hour");
    }

    #[test]
    fn the_message_says_the_grace_it_waits() {
        let five = Duration::from_secs(300);
        assert_eq!(
            render("Save your work: {grace} left", five, false, Verb::Logoff),
            "Save your work: 5 minutes left"
        );
        assert_eq!(
            render("Save your work", five, false, Verb::Logoff),
            "Save your work, logoff in 5 minutes"
        );
        assert_eq!(
            render(
                "Maintenance.",
                Duration::from_secs(90),
                false,
                Verb::Disconnect
            ),
            "Maintenance. Disconnect in 90 seconds."
        );
        assert_eq!(render("Bye", five, true, Verb::Logoff), "Bye");
        assert_eq!(
            render("{grace} ({grace})", five, true, Verb::Logoff),
            "5 minutes (5 minutes)"
        );
    }
}
