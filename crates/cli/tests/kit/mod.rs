//! Shared setup for the CLI's tests: the `aidtrace` binary run in a directory of its own, with
//! no database or settings file leaking in from the environment of whoever runs the tests.

#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

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

/// The binary, in `dir`, on the store `db` names (a path or a `postgres://` URL), as `tester`.
pub fn command_on(dir: &Path, db: &str) -> Command {
    let mut command = command(dir);
    command.env("AIDTRACE_DB", db);
    command
}

/// `args` on the store `db` names.
pub fn run_on(dir: &Path, db: &str, args: &[&str]) -> Output {
    command_on(dir, db)
        .args(args)
        .output()
        .expect("run aidtrace")
}

pub fn run_with_stdin(dir: &Path, args: &[&str], stdin: &str) -> Output {
    with_stdin(command(dir), args, stdin)
}

/// `args` on the store `db` names, with `stdin` as input (for `--password-stdin`).
pub fn run_on_with_stdin(dir: &Path, db: &str, args: &[&str], stdin: &str) -> Output {
    with_stdin(command_on(dir, db), args, stdin)
}

/// An `aidtrace serve` process on a free loopback port, killed when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `aidtrace serve` in `dir` on its default store, once it accepts connections.
pub fn serve(dir: &Path) -> Server {
    serve_with(command(dir))
}

/// `aidtrace serve` on the store `db` names, once it accepts connections.
pub fn serve_on(dir: &Path, db: &str) -> Server {
    serve_with(command_on(dir, db))
}

fn serve_with(mut command: Command) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = command
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start aidtrace serve");
    let server = Server { child, port };
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}

/// Adds the admin account `name` to the store `db` names (password on stdin), as a server's
/// first user is made; panics with the CLI's message if it is refused.
pub fn add_admin_on(dir: &Path, db: &str, name: &str) {
    let out = run_on_with_stdin(
        dir,
        db,
        &[
            "user",
            "add",
            "--name",
            name,
            "--role",
            "admin",
            "--password-stdin",
        ],
        "correct horse battery staple\n",
    );
    assert!(
        out.status.success(),
        "user add {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn with_stdin(mut command: Command, args: &[&str], stdin: &str) -> Output {
    let mut child = command
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
