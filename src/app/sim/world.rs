//! The simulated server: its sessions, what happens on it between two tables, and how its stock
//! tools answer (and fail).

use crate::host::fake::{exited, timed_out};
use crate::host::runner::Output;
use crate::host::{Call, HostError, LogonMode};
use crate::vocab::SessionId;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A small, fast, seeded generator (SplitMix64).
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with probability `percent` in 100.
    pub(super) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum St {
    Active,
    Disc,
    Conn,
    Listen,
    /// Ending: `logoff` said yes, and the session goes a few tables later.
    Down,
}

/// One session of the simulated server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Sess {
    /// Which session this really is (never shown): a reconnection keeps it, a new logon on a
    /// reused ID gets a new one. The checks judge by it; the program sees only the table.
    pub(super) serial: u64,
    pub(super) id: u32,
    pub(super) user: Option<String>,
    pub(super) name: Option<String>,
    pub(super) state: St,
}

impl Sess {
    fn row(&self, own: u32) -> String {
        let state = match self.state {
            St::Active => "Active",
            St::Disc => "Disc",
            St::Conn => "Conn",
            St::Listen => "Listen",
            St::Down => "Down",
        };
        format!(
            "{}{:<18}{:<20}{:>7}  {state}",
            if self.id == own { '>' } else { ' ' },
            self.name.as_deref().unwrap_or(""),
            self.user.as_deref().unwrap_or(""),
            self.id
        )
    }
}

/// An acting call, with the session its ID held at that moment.
#[derive(Debug, Clone)]
pub(super) struct Acted {
    pub(super) tool: &'static str,
    pub(super) id: u32,
    pub(super) now: Option<Sess>,
}

const USERS: &[&str] = &[
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "frank",
    "grace",
    "admin",
    "svc_backup",
];
pub(super) const OWN: u32 = 2;

/// The simulated server.
pub(super) struct World {
    rng: Rng,
    pub(super) sessions: Vec<Sess>,
    next_name: u32,
    pub(super) mode: LogonMode,
    /// Every acting call.
    pub(super) acted: Vec<Acted>,
    /// Sessions ending (by serial), and how many more tables list them.
    leaving: Vec<(u64, u32)>,
    /// The sessions as the first table that was served showed them: what the plan saw.
    pub(super) first: Option<Vec<Sess>>,
    /// How many calls so far, and the one at which Ctrl-C comes.
    calls: usize,
    stop_at: Option<usize>,
    stop: Arc<AtomicBool>,
}

impl World {
    pub(super) fn new(seed: u64, stop: Arc<AtomicBool>) -> World {
        let mut rng = Rng(seed);
        let mut sessions = vec![
            Sess {
                serial: 1_000_000,
                id: 0,
                user: None,
                name: Some("services".into()),
                state: St::Disc,
            },
            Sess {
                serial: 1_000_001,
                id: 1,
                user: rng.chance(50).then(|| "console_user".to_string()),
                name: Some("console".into()),
                state: St::Conn,
            },
            Sess {
                serial: 1_000_002,
                id: OWN,
                user: Some("admin".into()),
                name: Some("rdp-tcp#0".into()),
                state: St::Active,
            },
            Sess {
                serial: 1_065_536,
                id: 65536,
                user: None,
                name: Some("rdp-tcp".into()),
                state: St::Listen,
            },
        ];
        for id in 3..3 + rng.below(6) as u32 {
            let user = USERS[rng.below(USERS.len() as u64) as usize].to_string();
            let active = rng.chance(60);
            sessions.push(Sess {
                serial: u64::from(id),
                id,
                user: Some(user),
                name: active.then(|| format!("rdp-tcp#{id}")),
                state: if active { St::Active } else { St::Disc },
            });
        }
        // Listed by ID, as `query` lists them: listeners last.
        sessions.sort_by_key(|s| s.id);
        let stop_at = rng.chance(20).then(|| rng.below(12) as usize);
        World {
            rng,
            sessions,
            next_name: 100,
            mode: LogonMode::Enable,
            acted: Vec::new(),
            leaving: Vec::new(),
            first: None,
            calls: 0,
            stop_at,
            stop,
        }
    }

    /// Something happens on the server: a logoff, a disconnect, a reconnect, a new logon that
    /// may take a freed ID.
    fn happen(&mut self) {
        if !self.rng.chance(35) {
            return;
        }
        let leaving = &self.leaving;
        let users: Vec<usize> = (0..self.sessions.len())
            .filter(|&i| self.sessions[i].user.is_some() && self.sessions[i].id > OWN)
            .filter(|&i| {
                leaving
                    .iter()
                    .all(|(serial, _)| *serial != self.sessions[i].serial)
            })
            .filter(|&i| self.sessions[i].id < 65536)
            .collect();
        let pick = |w: &mut World| users[w.rng.below(users.len() as u64) as usize];
        match self.rng.below(4) {
            0 if !users.is_empty() => {
                let i = pick(self);
                self.sessions.remove(i);
            }
            1 if !users.is_empty() => {
                let i = pick(self);
                self.sessions[i].name = None;
                self.sessions[i].state = St::Disc;
            }
            2 if !users.is_empty() => {
                let i = pick(self);
                if self.sessions[i].state == St::Disc {
                    self.next_name += 1;
                    self.sessions[i].name = Some(format!("rdp-tcp#{}", self.next_name));
                    self.sessions[i].state = St::Active;
                }
            }
            _ => {
                // A new logon, on the lowest free ID: IDs are reused.
                let id = (3..).find(|id| self.sessions.iter().all(|s| s.id != *id));
                if let Some(id) = id {
                    self.next_name += 1;
                    let user = USERS[self.rng.below(USERS.len() as u64) as usize].to_string();
                    self.sessions.push(Sess {
                        serial: u64::from(self.next_name) << 20,
                        id,
                        user: Some(user),
                        name: Some(format!("rdp-tcp#{}", self.next_name)),
                        state: St::Active,
                    });
                    self.sessions.sort_by_key(|s| s.id);
                }
            }
        }
    }

    fn table(&mut self) -> String {
        let mut text =
            " SESSIONNAME       USERNAME                 ID  STATE   TYPE        DEVICE\r\n"
                .to_string();
        for s in &self.sessions {
            text.push_str(&s.row(OWN));
            text.push_str("\r\n");
        }
        // Cut short, anywhere.
        if self.rng.chance(4) {
            let cut = self.rng.below(text.len() as u64) as usize;
            text.truncate(cut);
        }
        text
    }

    fn session(&self, id: SessionId) -> Option<Sess> {
        self.sessions.iter().find(|s| s.id == id.get()).cloned()
    }

    /// Answers one call.
    pub(super) fn answer(&mut self, call: &Call<'_>) -> Result<Output, HostError> {
        self.calls += 1;
        if self.stop_at == Some(self.calls) {
            self.stop.store(true, Ordering::SeqCst);
        }
        match call {
            Call::QuerySession => {
                match self.rng.below(100) {
                    0..=2 => exited(1, "", "Error [1722]:The RPC server is unavailable.\r\n"),
                    3 => timed_out(Duration::from_secs(1)),
                    _ => {
                        // The world moves on only when the program gets to see it: sessions
                        // that were ending go, and something may happen.
                        self.leaving.retain_mut(|(_, left)| {
                            *left -= 1;
                            *left > 0
                        });
                        let leaving = &self.leaving;
                        self.sessions.retain(|s| {
                            s.state != St::Down || leaving.iter().any(|(l, _)| *l == s.serial)
                        });
                        self.happen();
                        if self.first.is_none() {
                            self.first = Some(self.sessions.clone());
                        }
                        let table = self.table();
                        if std::env::var("SIM_SHOW").is_ok() {
                            eprintln!("--- served:\n{table}");
                        }
                        exited(0, &table, "")
                    }
                }
            }
            Call::QueryUser => exited(1, "", "No User exists for *\r\n"),
            Call::Logoff(id) | Call::Disconnect(id) | Call::Reset(id) => {
                let tool = match call {
                    Call::Logoff(_) => "logoff",
                    Call::Disconnect(_) => "tsdiscon",
                    _ => "reset",
                };
                let now = self.session(*id);
                self.acted.push(Acted {
                    tool,
                    id: id.get(),
                    now: now.clone(),
                });
                if now.is_none() {
                    return exited(1, "", &format!("Session ID {id} not found\r\n"));
                }
                match self.rng.below(100) {
                    0..=4 => exited(1, "", "Error [5]: Access is denied.\r\n"),
                    5..=6 => timed_out(Duration::from_secs(1)),
                    _ => {
                        if tool == "tsdiscon" {
                            if let Some(s) = self.sessions.iter_mut().find(|s| s.id == id.get()) {
                                s.name = None;
                                s.state = St::Disc;
                            }
                        } else if tool == "logoff" && self.rng.chance(10) {
                            // Stuck: logoff said yes, the session stays listed.
                        } else if tool == "logoff" && self.rng.chance(25) {
                            // Ending: listed as Down for a few more tables.
                            let tables = 1 + self.rng.below(3) as u32;
                            if let Some(s) = self.sessions.iter_mut().find(|s| s.id == id.get()) {
                                s.state = St::Down;
                                self.leaving.push((s.serial, tables));
                            }
                        } else {
                            self.sessions.retain(|s| s.id != id.get());
                        }
                        exited(0, "", "")
                    }
                }
            }
            Call::Msg { id, .. } => {
                let now = self.session(*id);
                self.acted.push(Acted {
                    tool: "msg",
                    id: id.get(),
                    now,
                });
                if self.rng.chance(15) {
                    exited(1, "", "Error 1722 getting session names\r\n")
                } else {
                    exited(0, "", "")
                }
            }
            Call::ChangeLogon(LogonMode::Query) => {
                let text = match self.mode {
                    LogonMode::Enable => "Connections are currently ENABLED",
                    LogonMode::Drain => {
                        "New user logons are DISABLED, but reconnections to existing sessions \
                         are ENABLED"
                    }
                    _ => "Connections are currently DISABLED",
                };
                exited(0, &format!("{text}\r\n"), "")
            }
            Call::ChangeLogon(mode) => {
                if self.rng.chance(3) {
                    return exited(1, "", "Error [5]:Access is denied.\r\n");
                }
                self.mode = *mode;
                exited(0, "", "")
            }
            Call::EventCreate { .. } => exited(0, "SUCCESS", ""),
        }
    }
}
