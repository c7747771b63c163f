//! Acting on a plan: warn the users, then log off the planned sessions one at a time.

pub mod execute;
pub mod warn;
