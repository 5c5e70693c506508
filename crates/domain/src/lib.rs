//! aidtrace-domain
