//! Typed session records: what one row of `query session` says about one session.

use std::fmt;

/// A Remote Desktop session ID: a plain decimal number, the only thing ever passed to `logoff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SessionId(u32);

impl SessionId {
    /// IDs from this value up belong to listeners on Windows Server 2008 and later.
    pub const FIRST_LISTENER: u32 = 65536;

    /// Wraps a number known to be a session ID.
    pub fn new(id: u32) -> Self {
        SessionId(id)
    }

    /// Reads a session ID from text made only of ASCII decimal digits (no sign, no spaces).
    pub fn parse(text: &str) -> Option<Self> {
        if text.is_empty() || text.len() > 10 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok().map(SessionId)
    }

    /// The number itself.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

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
    /// A word this program does not know: such a session is never logged off.
    Unknown(String),
}

/// The state words `query session` prints, per language, as seen in captures (see FORMAT.md).
const STATE_WORDS: &[(&str, State)] = &[
    ("active", State::Active),
    ("aktiv", State::Active),
    ("actif", State::Active),
    ("activo", State::Active),
    ("attivo", State::Active),
    ("активный", State::Active),
    ("conn", State::Connected),
    ("connected", State::Connected),
    ("verb.", State::Connected),
    ("connq", State::ConnectQuery),
    ("connectquery", State::ConnectQuery),
    ("shadow", State::Shadow),
    ("disc", State::Disconnected),
    ("disconnected", State::Disconnected),
    ("getr.", State::Disconnected),
    ("déco", State::Disconnected),
    ("desc", State::Disconnected),
    ("разъедин", State::Disconnected),
    ("idle", State::Idle),
    ("listen", State::Listen),
    ("abhör.", State::Listen),
    ("прослуш", State::Listen),
    ("reset", State::Reset),
    ("down", State::Down),
    ("init", State::Init),
];

impl State {
    /// Maps a printed state word (any known language, any case) to a state; unknown words
    /// become `Unknown` and keep their text.
    pub fn from_word(word: &str) -> State {
        let word = word.trim();
        let lower = || word.chars().flat_map(char::to_lowercase);
        let found = if word.is_ascii() {
            STATE_WORDS
                .iter()
                .find(|(w, _)| w.eq_ignore_ascii_case(word))
        } else {
            STATE_WORDS.iter().find(|(w, _)| w.chars().eq(lower()))
        };
        found
            .map(|(_, s)| s.clone())
            .unwrap_or_else(|| State::Unknown(word.to_string()))
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
    pub name: Option<String>,
    /// The user name as printed (cut to 20 characters by Windows); `None` when nobody is logged on.
    pub user: Option<String>,
    /// The state, from the localized word.
    pub state: State,
    /// The state word exactly as printed.
    pub state_word: String,
    /// The TYPE column (`wdcon`, `rdpwd`, ... on old Windows); `None` when empty or absent.
    pub kind: Option<String>,
    /// The DEVICE column; `None` when empty or absent.
    pub device: Option<String>,
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
        for bad in ["", "-1", "+1", " 1", "1 ", "1a", "0x10", "4294967296", "１"] {
            assert_eq!(SessionId::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn state_words_from_every_known_language_map_to_states() {
        assert_eq!(State::from_word("Disc"), State::Disconnected);
        assert_eq!(State::from_word("Getr."), State::Disconnected);
        assert_eq!(State::from_word("Déco"), State::Disconnected);
        assert_eq!(State::from_word("Разъедин"), State::Disconnected);
        assert_eq!(State::from_word("АКТИВНЫЙ"), State::Active);
        assert_eq!(State::from_word("Abhör."), State::Listen);
        assert_eq!(State::from_word("ConnQ"), State::ConnectQuery);
        // A word nobody has seen must not be guessed at.
        assert_eq!(
            State::from_word("Getrennt?"),
            State::Unknown("Getrennt?".into())
        );
    }
}
