//! Verb: what the run does to each planned session, log off (the default) or disconnect
//! (`--disconnect`), chosen once and passed to the planner, the executor and the report, so no
//! stage tests a flag of its own.

use crate::host::Call;
use crate::plan::{Action, Plan, Reason};
use crate::table::session::{SessionId, State};

/// What is done to a planned session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Verb {
    /// The stock `logoff ID`: the session ends.
    #[default]
    Logoff,
    /// The stock `tsdiscon ID` (`--disconnect`): the session stays, its client is cut off.
    Disconnect,
}

impl Verb {
    /// The call that does it to session `id`.
    pub fn call(self, id: SessionId) -> Call<'static> {
        match self {
            Verb::Logoff => Call::Logoff(id),
            Verb::Disconnect => Call::Disconnect(id),
        }
    }

    /// The verb in words: "log off", "disconnect".
    pub fn words(self) -> &'static str {
        match self {
            Verb::Logoff => "log off",
            Verb::Disconnect => "disconnect",
        }
    }

    /// The verb done: "logged off", "disconnected".
    pub fn past(self) -> &'static str {
        match self {
            Verb::Logoff => "logged off",
            Verb::Disconnect => "disconnected",
        }
    }

    /// The noun used in messages to users: "logoff", "disconnect".
    pub fn noun(self) -> &'static str {
        match self {
            Verb::Logoff => "logoff",
            Verb::Disconnect => "disconnect",
        }
    }

    /// The stock program's name, for messages.
    pub fn program(self) -> &'static str {
        match self {
            Verb::Logoff => "logoff",
            Verb::Disconnect => "tsdiscon",
        }
    }

    /// Whether a session in `state` has nothing left for this verb to do: a disconnected
    /// session cannot be disconnected again.
    pub fn already_done(self, state: &State) -> bool {
        self == Verb::Disconnect && *state == State::Disconnected
    }

    /// Skips, with the reason, every planned session this verb has nothing to do to.
    pub fn apply(self, plan: &mut Plan) {
        for entry in &mut plan.entries {
            let done = entry.session().is_some_and(|s| self.already_done(&s.state));
            if entry.action == Action::Logoff && done {
                entry.action = Action::Skip;
                entry.reason = Reason::AlreadyDisconnected;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_verb_runs_its_own_stock_program() {
        let id = SessionId::new(7);
        assert_eq!(Verb::Logoff.call(id), Call::Logoff(id));
        assert_eq!(Verb::Disconnect.call(id), Call::Disconnect(id));
        assert!(Verb::Disconnect.already_done(&State::Disconnected));
        assert!(!Verb::Disconnect.already_done(&State::Active));
        assert!(!Verb::Logoff.already_done(&State::Disconnected));
    }
}
