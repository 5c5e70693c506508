//! Data entry and approval: the forms, writes and proposals with their preconditions, and the approval queue.

pub mod edit;
pub mod forms;
pub mod page;
pub mod precondition;
