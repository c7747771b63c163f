//! Vocabulary: the small names every stage shares (checked identifiers, text for people,
//! durations, the verb's words). It imports nothing else of the program, so any stage may use it.

pub(crate) mod codes;
pub(crate) mod duration;
pub(crate) mod file;
pub(crate) mod format;
pub(crate) mod ids;
pub(crate) mod message;
pub(crate) mod order;
pub(crate) mod text;
pub(crate) mod verb;

pub(crate) use ids::{ServerName, SessionId};
pub(crate) use text::{escape_for_display, one_line, quote};
pub(crate) use verb::Verb;
