//! aidtrace-service
