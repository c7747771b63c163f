//! Vocabulary: every localized word the program knows (header titles, state words, idle "none"
//! words), each with where it was seen. Words only name and confirm columns; the table itself is
//! found by its shape (see `header.rs`), so a word missing here never hides a table.
//!
//! "Seen" cites a real capture in `fixtures/real/` (by file name) or docs/FORMATS.md, which
//! records what real captures showed. Words that were once guessed and never seen in a capture
//! (ИМЯ_СЕАНСА, ИД, Активный, Разъедин, ...) are deliberately absent.

use crate::table::session::State;

/// Which column a header title names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Title {
    /// SESSIONNAME
    SessionName,
    /// USERNAME
    UserName,
    /// ID
    Id,
    /// STATE
    State,
    /// TYPE
    Type,
    /// DEVICE
    Device,
    /// IDLE TIME (`query user`)
    IdleTime,
    /// LOGON TIME (`query user`)
    LogonTime,
}

/// Header titles: (title as printed, column, where seen). Matched case-insensitively; a title
/// may hold single spaces.
pub(crate) const TITLES: &[(&str, Title, &str)] = &[
    (
        "SESSIONNAME",
        Title::SessionName,
        "s-001 and most English captures",
    ),
    ("SITZUNGSNAME", Title::SessionName, "s-027, u-001 (German)"),
    (
        "NOMBRE DE SESIÓN",
        Title::SessionName,
        "l-002 (Spanish query session)",
    ),
    (
        "NOMBRE SESIÓN",
        Title::SessionName,
        "u-021 (Spanish query user)",
    ),
    ("SESSION", Title::SessionName, "u-004 (French query user)"),
    ("СЕАНС", Title::SessionName, "u-007 (Russian); FORMATS.md"),
    ("会话名", Title::SessionName, "l-005, u-009 (Chinese)"),
    ("セッション名", Title::SessionName, "FORMATS.md (Japanese)"),
    (
        "USERNAME",
        Title::UserName,
        "s-001 and most English captures",
    ),
    ("BENUTZERNAME", Title::UserName, "s-027, u-001 (German)"),
    (
        "NOMBRE DE USUARIO",
        Title::UserName,
        "l-002 (Spanish query session)",
    ),
    (
        "NOMBRE USUARIO",
        Title::UserName,
        "u-021 (Spanish query user)",
    ),
    ("UTILISATEUR", Title::UserName, "u-004 (French query user)"),
    (
        "ПОЛЬЗОВАТЕЛЬ",
        Title::UserName,
        "u-007 (Russian); FORMATS.md",
    ),
    ("用户名", Title::UserName, "l-005, u-009 (Chinese)"),
    ("ユーザー名", Title::UserName, "FORMATS.md (Japanese)"),
    ("ID", Title::Id, "every capture"),
    ("ID.", Title::Id, "u-021 (Spanish query user)"),
    ("STATE", Title::State, "s-001 and most English captures"),
    ("STATUS", Title::State, "s-027, u-001 (German)"),
    ("ÉTAT", Title::State, "u-004 (French)"),
    ("ESTADO", Title::State, "l-002, u-021 (Spanish)"),
    ("СТАТУС", Title::State, "u-007 (Russian)"),
    ("状态", Title::State, "l-005, u-009 (Chinese)"),
    ("状態", Title::State, "FORMATS.md (Japanese)"),
    ("TYPE", Title::Type, "s-001 and most English captures"),
    ("TYP", Title::Type, "s-027 (German)"),
    ("TIPO", Title::Type, "l-002 (Spanish)"),
    ("ТИП", Title::Type, "FORMATS.md (Russian)"),
    ("类型", Title::Type, "l-005 (Chinese)"),
    ("種類", Title::Type, "FORMATS.md (Japanese)"),
    ("DEVICE", Title::Device, "s-001 and most English captures"),
    ("GERÄT", Title::Device, "s-027 (German)"),
    ("DISPOSITIVO", Title::Device, "l-002 (Spanish)"),
    ("УСТР-ВО", Title::Device, "FORMATS.md (Russian)"),
    ("设备", Title::Device, "l-005 (Chinese)"),
    ("デバイス", Title::Device, "FORMATS.md (Japanese)"),
    ("IDLE TIME", Title::IdleTime, "u-015, u-016 (English)"),
    ("LEERLAUF", Title::IdleTime, "u-001 (German)"),
    ("TEMPS INACT", Title::IdleTime, "u-004 (French)"),
    ("TIEMPO IN.", Title::IdleTime, "u-021 (Spanish)"),
    ("БЕЗДЕЙСТВ.", Title::IdleTime, "u-007 (Russian)"),
    ("空闲时间", Title::IdleTime, "u-009 (Chinese)"),
    ("LOGON TIME", Title::LogonTime, "u-015, u-016 (English)"),
    ("ANMELDEZEIT", Title::LogonTime, "u-001 (German)"),
    ("TEMPS SESSION", Title::LogonTime, "u-004 (French)"),
    ("TIEMPO SESIÓN", Title::LogonTime, "u-021 (Spanish)"),
    ("ВРЕМЯ ВХОДА", Title::LogonTime, "u-007 (Russian)"),
    ("登录时间", Title::LogonTime, "u-009 (Chinese)"),
];

/// State words as `query` prints them: (word, state, where seen).
pub(crate) const STATE_WORDS: &[(&str, State, &str)] = &[
    ("Active", State::Active, "s-001 and most English captures"),
    (
        "Conn",
        State::Connected,
        "s-009, s-011 (English); l-002 (Spanish)",
    ),
    (
        "ConnQ",
        State::ConnectQuery,
        "FORMATS.md (English state set)",
    ),
    ("Shadow", State::Shadow, "FORMATS.md (English state set)"),
    (
        "Disc",
        State::Disconnected,
        "s-001 and most English captures",
    ),
    ("Idle", State::Idle, "FORMATS.md (English state set)"),
    ("Listen", State::Listen, "s-001 and most English captures"),
    ("Reset", State::Reset, "FORMATS.md (English state set)"),
    ("Down", State::Down, "FORMATS.md (English state set)"),
    ("Init", State::Init, "FORMATS.md (English state set)"),
    ("Aktiv", State::Active, "s-027, u-001 (German)"),
    ("Getr.", State::Disconnected, "s-027 (German)"),
    ("Abhör.", State::Listen, "s-027 (German)"),
    ("Actif", State::Active, "u-004 (French)"),
    ("Activo", State::Active, "l-002, u-021 (Spanish)"),
    ("Desc", State::Disconnected, "l-002, u-021 (Spanish)"),
    ("Escuchar", State::Listen, "l-002 (Spanish)"),
    ("Активно", State::Active, "u-007 (Russian)"),
    ("Диск", State::Disconnected, "FORMATS.md (Russian)"),
    ("Подключено", State::Connected, "FORMATS.md (Russian)"),
    ("Прием", State::Listen, "FORMATS.md (Russian)"),
    ("运行中", State::Active, "l-005, u-009 (Chinese)"),
    ("断开", State::Disconnected, "l-005 (Chinese)"),
    ("已连接", State::Connected, "FORMATS.md (Chinese)"),
    ("侦听", State::Listen, "FORMATS.md (Chinese)"),
];

/// The English names `--state` takes: (name, state). Both the short word `query` prints and
/// the full name are accepted.
pub(crate) const STATE_NAMES: &[(&str, State)] = &[
    ("active", State::Active),
    ("connected", State::Connected),
    ("conn", State::Connected),
    ("connectquery", State::ConnectQuery),
    ("connq", State::ConnectQuery),
    ("shadow", State::Shadow),
    ("disconnected", State::Disconnected),
    ("disc", State::Disconnected),
    ("idle", State::Idle),
    ("listen", State::Listen),
    ("reset", State::Reset),
    ("down", State::Down),
    ("init", State::Init),
];

/// The words `query user` prints in IDLE TIME for "no idle time": (word, where seen).
pub(crate) const IDLE_NONE: &[(&str, &str)] = &[
    (".", "u-015 (English)"),
    ("none", "u-016 (English)"),
    ("Kein", "u-001 (German)"),
    ("aucun", "u-003 (French)"),
    ("ninguno", "u-021 (Spanish)"),
    ("отсутствует", "u-007 (Russian)"),
    ("无", "FORMATS.md (Chinese)"),
];

/// Session names Windows never localizes; they tell which column holds the session name.
/// Matched case-insensitively, the `#N` suffix and listener names included by prefix.
pub(crate) const SESSION_NAME_PREFIXES: &[&str] = &["services", "console", "rdp-tcp", "ica-tcp"];

/// Case-insensitive equality that also folds non-ASCII letters (Cyrillic, accented Latin).
pub(crate) fn same_word(a: &str, b: &str) -> bool {
    if a.len() == b.len() && a.eq_ignore_ascii_case(b) {
        return true;
    }
    if a.is_ascii() && b.is_ascii() {
        return false;
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// The column a header title names, if the title is known.
pub(crate) fn title(text: &str) -> Option<Title> {
    TITLES
        .iter()
        .find(|(w, _, _)| same_word(w, text))
        .map(|(_, t, _)| *t)
}

/// Whether `text` is an ID column title.
pub(crate) fn is_id_title(text: &str) -> bool {
    text.eq_ignore_ascii_case("ID") || text.eq_ignore_ascii_case("ID.")
}

/// The state a printed state word stands for; `None` for a word not seen in any capture.
pub(crate) fn state_of_word(word: &str) -> Option<State> {
    let found = if word.is_ascii() {
        STATE_WORDS
            .iter()
            .find(|(w, _, _)| w.len() == word.len() && w.eq_ignore_ascii_case(word))
    } else {
        STATE_WORDS.iter().find(|(w, _, _)| same_word(w, word))
    };
    found.map(|(_, s, _)| s.clone())
}

/// The state an English `--state` name stands for.
pub(crate) fn state_of_name(name: &str) -> Option<State> {
    STATE_NAMES
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(name.trim()))
        .map(|(_, s)| s.clone())
}

/// Whether an IDLE TIME value means "no idle time".
pub(crate) fn is_idle_none(word: &str) -> bool {
    IDLE_NONE.iter().any(|(w, _)| same_word(w, word))
}

/// Whether `name` is one of the session names Windows never localizes.
pub(crate) fn is_known_session_name(name: &str) -> bool {
    SESSION_NAME_PREFIXES.iter().any(|p| {
        name.len() >= p.len()
            && name.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
            && (name.len() == p.len() || name.as_bytes()[p.len()] == b'#')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_says_where_it_was_seen() {
        assert!(TITLES.iter().all(|(_, _, seen)| !seen.is_empty()));
        assert!(STATE_WORDS.iter().all(|(_, _, seen)| !seen.is_empty()));
        assert!(IDLE_NONE.iter().all(|(_, seen)| !seen.is_empty()));
    }

    #[test]
    fn guessed_words_never_seen_are_not_known() {
        for guess in ["ИМЯ_СЕАНСА", "ИД", "ИМЯ_ПОЛЬЗОВАТЕЛЯ", "СОСТОЯНИЕ"]
        {
            assert_eq!(title(guess), None, "{guess}");
        }
        for guess in ["Активный", "Разъедин", "Прослуш", "Déco", "Verb.", "attivo"]
        {
            assert_eq!(state_of_word(guess), None, "{guess}");
        }
    }

    #[test]
    fn real_words_are_known_in_any_case() {
        assert_eq!(title("nombre de sesión"), Some(Title::SessionName));
        assert_eq!(title("Tiempo In."), Some(Title::IdleTime));
        assert_eq!(state_of_word("АКТИВНО"), Some(State::Active));
        assert_eq!(state_of_word("диск"), Some(State::Disconnected));
        assert_eq!(state_of_word("断开"), Some(State::Disconnected));
        assert!(is_idle_none("KEIN") && is_idle_none("无") && is_idle_none("Отсутствует"));
        assert!(!is_idle_none("0"));
    }

    #[test]
    fn session_names_that_are_never_localized() {
        for name in ["services", "Console", "rdp-tcp", "rdp-tcp#12", "ica-tcp#3"] {
            assert!(is_known_session_name(name), "{name}");
        }
        for name in ["rdp-tcpx", "consoles", "31c5ce94259d4...", ""] {
            assert!(!is_known_session_name(name), "{name}");
        }
    }

    #[test]
    fn state_names_for_the_filter_are_english_only() {
        assert_eq!(state_of_name("DISC"), Some(State::Disconnected));
        assert_eq!(state_of_name("connectquery"), Some(State::ConnectQuery));
        assert_eq!(state_of_name("Getr."), None);
    }
}
