//! Shared setup for the CLI's tests: the `aidtrace` binary run in a directory of its own, with
//! no database or settings file leaking in from the environment of whoever runs the tests.

#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The binary, in `dir`, acting as `tester`, ignoring `AIDTRACE_DB` and `AIDTRACE_CONFIG`.
pub fn command(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_aidtrace"));
    command
        .current_dir(dir)
        .env_remove("AIDTRACE_DB")
        .env_remove("AIDTRACE_CONFIG")
        .env("AIDTRACE_ACTOR", "tester");
    command
}

pub fn run(dir: &Path, args: &[&str]) -> Output {
    command(dir).args(args).output().expect("run aidtrace")
}

pub fn run_with_stdin(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = command(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run aidtrace");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

pub fn code(out: &Output) -> i32 {
    out.status.code().expect("exit code")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Standard output parsed as JSON, or a panic that shows what was printed instead.
pub fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(out)))
}
