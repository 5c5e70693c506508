//! aidtrace-iati
