//! Typed session records: what one row of `query session` says about one session.

use crate::table::vocab;

/// Text of one field of a row. Up to 24 bytes (every session name, state word and nearly
/// every user name) it is kept inline, so a table of many rows is not a heap allocation per
/// field; it reads as a `&str`.
pub type Field = compact_str::CompactString;

pub use crate::vocab::ids::SessionId;

/// The connection state of a session (WTS_CONNECTSTATE_CLASS), read from the localized word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// A user is logged on and connected.
    Active,
    /// Connected to a client, nobody logged on yet (often the console at the sign-in screen).
    Connected,
    /// In the middle of connecting.
    ConnectQuery,
    /// Shadowing another session.
    Shadow,
    /// A user is logged on but no client is connected.
    Disconnected,
    /// Waiting for a client to connect (pre-created winstation).
    Idle,
    /// A listener waiting for connections: never a user session.
    Listen,
    /// Being reset.
    Reset,
    /// Down because of an error.
    Down,
    /// Being initialized.
    Init,
    /// A word this program does not know (a language no list holds): it never matches a
    /// `--state` filter, and it does not stop the default run, which needs only the session
    /// name, user and ID.
    Unknown(String),
}

impl State {
    /// Maps a printed state word (any language in the vocabulary, any case) to a state;
    /// words not in the vocabulary become `Unknown` and keep their text.
    pub fn from_word(word: &str) -> State {
        let word = word.trim();
        vocab::state_of_word(word).unwrap_or_else(|| State::Unknown(word.to_string()))
    }

    /// The canonical English name, as used in filters and documentation.
    pub fn canonical(&self) -> &str {
        match self {
            State::Active => "active",
            State::Connected => "connected",
            State::ConnectQuery => "connectquery",
            State::Shadow => "shadow",
            State::Disconnected => "disconnected",
            State::Idle => "idle",
            State::Listen => "listen",
            State::Reset => "reset",
            State::Down => "down",
            State::Init => "init",
            State::Unknown(_) => "unknown",
        }
    }
}

/// One understood row of `query session`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The session ID (right-aligned under the ID header).
    pub id: SessionId,
    /// The session name; `None` when the column is empty (a disconnected session).
    pub name: Option<Field>,
    /// The user name as printed (cut to 20 characters by Windows); `None` when nobody is logged on.
    pub user: Option<Field>,
    /// The state, from the localized word.
    pub state: State,
    /// The state word exactly as printed.
    pub state_word: Field,
    /// The TYPE column (`wdcon`, `rdpwd`, ... on old Windows); `None` when empty or absent.
    pub kind: Option<Field>,
    /// The DEVICE column; `None` when empty or absent.
    pub device: Option<Field>,
    /// Whether `query` marked this row with `>` as the caller's own session.
    pub marked_current: bool,
    /// 1-based line number in the decoded output, for messages.
    pub line: usize,
}

impl Session {
    /// Whether this is the physical console, recognised by name (never by ID).
    pub fn is_console(&self) -> bool {
        self.name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case("console"))
    }

    /// Whether this is the services session (session 0 on Vista / Server 2008 and later).
    pub fn is_services(&self) -> bool {
        self.id.get() == 0
            || self
                .name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case("services"))
    }

    /// Whether this row is a listener (state Listen, or an ID in the listener range).
    pub fn is_listener(&self) -> bool {
        self.state == State::Listen || self.id.get() >= SessionId::FIRST_LISTENER
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_id_accepts_only_plain_decimal_digits() {
        assert_eq!(SessionId::parse("0"), Some(SessionId::new(0)));
        assert_eq!(SessionId::parse("65536"), Some(SessionId::new(65536)));
        for bad in [
            "",
            "01",
            "00",
            "-1",
            "+1",
            " 1",
            "1 ",
            "1a",
            "0x10",
            "4294967296",
            "１",
        ] {
            assert_eq!(SessionId::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn state_words_from_every_known_language_map_to_states() {
        assert_eq!(State::from_word("Disc"), State::Disconnected);
        assert_eq!(State::from_word("Getr."), State::Disconnected);
        assert_eq!(State::from_word("Диск"), State::Disconnected);
        assert_eq!(State::from_word("АКТИВНО"), State::Active);
        assert_eq!(State::from_word("Abhör."), State::Listen);
        assert_eq!(State::from_word("ConnQ"), State::ConnectQuery);
        assert_eq!(State::from_word("侦听"), State::Listen);
        // A word nobody has seen must not be guessed at.
        assert_eq!(
            State::from_word("Getrennt?"),
            State::Unknown("Getrennt?".into())
        );
    }
}
