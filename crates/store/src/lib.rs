//! aidtrace-store
