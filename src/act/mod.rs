//! Acting on a plan: warn the users, log off the planned sessions one at a time (re-checking a
//! stale table first), then verify that they went.

pub mod classify;
pub mod drain;
pub mod execute;
pub mod outcome;
pub mod recheck;
pub mod verify;
pub mod warn;
