//! Intake pages: articles drafted into aid facts, reviewed by editors and admins.

pub mod pages;
