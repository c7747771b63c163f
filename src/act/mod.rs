//! Acting on a plan: warn the users, then log off the planned sessions one at a time.

pub mod drain;
pub mod execute;
pub mod verb;
pub mod warn;
