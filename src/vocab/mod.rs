//! Vocabulary: the small names every stage shares (checked identifiers, text for people,
//! durations, the verb's words). It imports nothing else of the program, so any stage may use it.

pub mod codes;
pub mod duration;
pub mod file;
pub mod ids;
pub mod message;
pub mod text;
pub mod verb;

pub use ids::{ServerName, SessionId};
pub use text::{escape_for_display, one_line, quote};
pub use verb::Verb;
