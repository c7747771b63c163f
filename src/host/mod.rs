//! The host: everything that touches the machine the run is on (tools, child processes, system
//! lookups), behind one seam so the stages above it are tested without Windows.

pub mod runner;
pub mod system;
pub mod tools;
