//! Verb: what the run does to each planned session, log off (the default) or disconnect
//! (`--disconnect`), chosen once and passed to the planner, the gate and the report, so no stage
//! tests a flag of its own. Here only its words; the planner skips what it has nothing to do to
//! ([`crate::plan::apply_verb`]) and the gate builds its call.

/// What is done to a planned session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Verb {
    /// The stock `logoff ID`: the session ends.
    #[default]
    Logoff,
    /// The stock `tsdiscon ID` (`--disconnect`): the session stays, its client is cut off.
    Disconnect,
}

impl Verb {
    /// The verb in words: "log off", "disconnect".
    pub(crate) fn words(self) -> &'static str {
        match self {
            Verb::Logoff => "log off",
            Verb::Disconnect => "disconnect",
        }
    }

    /// The verb done: "logged off", "disconnected".
    pub(crate) fn past(self) -> &'static str {
        match self {
            Verb::Logoff => "logged off",
            Verb::Disconnect => "disconnected",
        }
    }

    /// The verb going on, for the grace period's countdown: "logging off", "disconnecting".
    pub(crate) fn gerund(self) -> &'static str {
        match self {
            Verb::Logoff => "logging off",
            Verb::Disconnect => "disconnecting",
        }
    }

    /// Why what it did cannot be verified by reading the table again, when it cannot: a
    /// disconnected session stays listed.
    pub(crate) fn unverifiable(self) -> Option<&'static str> {
        match self {
            Verb::Logoff => None,
            Verb::Disconnect => {
                Some("disconnections are not verified: a disconnected session stays listed")
            }
        }
    }

    /// Whether a disconnected session has nothing left for it to do.
    pub(crate) fn done_when_disconnected(self) -> bool {
        self == Verb::Disconnect
    }

    /// The noun used in messages to users and as the plan's action code: "logoff",
    /// "disconnect".
    pub(crate) fn noun(self) -> &'static str {
        match self {
            Verb::Logoff => "logoff",
            Verb::Disconnect => "disconnect",
        }
    }
}
