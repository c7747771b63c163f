//! Stable codes: each code enum is declared once, with the spelling that the reports, the audit
//! log, the messages and serde all use. [`stable_codes!`] writes the enum and its spelling from
//! one table, so no second table can drift from it.

/// Declares a code enum from one table of `Variant => "spelling"` lines (each with its `///`
/// line): the enum (ordered, hashable, serialized as its spelling) and `as_str`.
macro_rules! stable_codes {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[doc = $doc:literal])* $variant:ident => $text:literal,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
        $vis enum $name {
            $($(#[doc = $doc])* #[serde(rename = $text)] $variant,)*
        }

        impl $name {
            /// The code as written in the reports.
            $vis fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use stable_codes;
