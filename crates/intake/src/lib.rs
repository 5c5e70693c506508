//! aidtrace-intake
