use std::fmt;
use std::process::ExitCode;

/// How a command ended badly; the variant decides the exit code so scripts can tell
/// "you gave me bad input" (2) from "the data has problems" (1).
#[derive(Debug)]
pub enum CliError {
    /// Bad input from the user: a flag, a file, a value. Exit code 2.
    Input(String),
    /// The command ran, but found problems (failed check, broken audit chain) or could not finish. Exit code 1.
    Failure(String),
}

impl CliError {
    pub fn input(message: impl Into<String>) -> Self {
        Self::Input(message.into())
    }

    pub fn failure(message: impl Into<String>) -> Self {
        Self::Failure(message.into())
    }

    pub fn exit_code(&self) -> ExitCode {
        match self {
            Self::Input(_) => ExitCode::from(2),
            Self::Failure(_) => ExitCode::from(1),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Input(m) | Self::Failure(m) => f.write_str(m),
        }
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        Self::Failure(format!("i/o error: {e}"))
    }
}

/// What a successful command tells `main` about the exit code: some commands (check, verify,
/// validate) succeed at running yet must exit 1 because they found problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Clean,
    ProblemsFound,
}

pub type CliResult = Result<Outcome, CliError>;

/// Service errors keep their meaning at the exit code: bad input is 2, the rest 1.
pub fn service_error(e: aidtrace_service::ServiceError) -> CliError {
    if e.is_bad_input() {
        CliError::input(e.to_string())
    } else {
        CliError::failure(e.to_string())
    }
}
