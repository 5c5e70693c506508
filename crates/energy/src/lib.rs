//! aidtrace-energy
