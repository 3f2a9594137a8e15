//! Small helpers shared by the commands: paths, running tools, option parsing.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The workspace root (xtask lives one level below it).
pub fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// `cargo`, preferring the one that launched us so the same toolchain is used.
pub fn cargo() -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(repo_root());
    cmd
}

/// Renders a command line for messages and repro notes.
pub fn show(cmd: &Command) -> String {
    let mut s = quote(cmd.get_program());
    for arg in cmd.get_args() {
        s.push(' ');
        s.push_str(&quote(arg));
    }
    s
}

fn quote(arg: &OsStr) -> String {
    let s = arg.to_string_lossy();
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:+,@%".contains(c));
    if plain {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Runs a command to completion with captured output; a spawn failure or a
/// non-zero exit becomes an error naming the command and showing its stderr.
pub fn run_captured(cmd: &mut Command) -> Result<Output, String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("could not run `{}`: {e}", show(cmd)))?;
    succeeded(cmd, out)
}

/// The output of a finished command, or an error naming it and showing its stderr.
fn succeeded(cmd: &Command, out: Output) -> Result<Output, String> {
    if out.status.success() {
        Ok(out)
    } else {
        Err(format!(
            "`{}` failed ({}){}",
            show(cmd),
            out.status,
            indent_output(&out)
        ))
    }
}

/// Like [`run_captured`], but kills the command after `timeout`: a linker
/// under development may loop forever, and the suite must still finish.
pub fn run_captured_timeout(cmd: &mut Command, timeout: Duration) -> Result<Output, String> {
    captured_with_timeout(cmd, timeout, false)
}

/// Like [`run_captured_timeout`], for a command that runs the code under test
/// in a child of its own (rustc running weld): the command gets a process
/// group of its own, and a timeout kills the whole group.
pub fn run_captured_timeout_group(cmd: &mut Command, timeout: Duration) -> Result<Output, String> {
    use std::os::unix::process::CommandExt as _;
    cmd.process_group(0);
    captured_with_timeout(cmd, timeout, true)
}

fn captured_with_timeout(
    cmd: &mut Command,
    timeout: Duration,
    group: bool,
) -> Result<Output, String> {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not run `{}`: {e}", show(cmd)))?;
    let pid = child.id() as libc::pid_t;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(timeout) {
        Ok(r) => r.map_err(|e| format!("waiting for `{}`: {e}", show(cmd)))?,
        Err(_) => {
            // SAFETY: `pid` is our child, not yet reaped (its waiter is blocked on it),
            // so neither it nor its process group (same id) can have been recycled.
            unsafe { libc::kill(if group { -pid } else { pid }, libc::SIGKILL) };
            let _ = rx.recv();
            return Err(format!(
                "`{}` timed out after {}s and was killed",
                show(cmd),
                timeout.as_secs()
            ));
        }
    };
    succeeded(cmd, out)
}

/// Runs a command with inherited stdio (for cargo steps the user should watch).
pub fn run_inherited(cmd: &mut Command) -> Result<(), String> {
    let status = cmd
        .status()
        .map_err(|e| format!("could not run `{}`: {e}", show(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", show(cmd)))
    }
}

/// The stdout and stderr of a failed tool, indented under the error line.
pub fn indent_output(out: &Output) -> String {
    let mut s = String::new();
    for (label, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        let text = text.trim_end();
        if !text.is_empty() {
            s.push_str(&format!("\n  {label}:\n"));
            s.push_str(&indent(text, "    "));
        }
    }
    s
}

pub fn indent(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|l| format!("{prefix}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Options shared by the suite-running commands.
#[derive(Debug, Default, Clone)]
pub struct Opts {
    pub long: bool,
    pub skip_checks: bool,
    pub keep: bool,
    pub large: bool,
    pub no_cache: bool,
    pub filter: Option<String>,
    pub runs: Option<usize>,
    pub time: Option<u64>,
    pub smoke: bool,
}

/// Parses `--flag` / `--opt VALUE` / `--opt=VALUE`; `allowed` lists the names
/// the command accepts, so typos are errors instead of silently ignored.
pub fn parse_opts(args: &[String], allowed: &[&str]) -> Result<Opts, String> {
    let mut opts = Opts::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        if !allowed.contains(&name) {
            return Err(format!(
                "unknown option `{arg}` (expected one of: {})",
                allowed.join(", ")
            ));
        }
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| format!("option `{name}` needs a value"))
        };
        match name {
            "--long" => opts.long = true,
            "--skip-checks" => opts.skip_checks = true,
            "--keep" => opts.keep = true,
            "--large" => opts.large = true,
            "--no-cache" => opts.no_cache = true,
            "--smoke" => opts.smoke = true,
            "--filter" => opts.filter = Some(value(name)?),
            "--runs" => {
                let v = value(name)?;
                let n = v
                    .parse()
                    .map_err(|_| format!("`--runs {v}`: not a number"))?;
                opts.runs = Some(n);
            }
            "--time" => {
                let v = value(name)?;
                let n = v
                    .parse()
                    .map_err(|_| format!("`--time {v}`: not a number of seconds"))?;
                opts.time = Some(n);
            }
            _ => return Err(format!("option `{name}` is not implemented")),
        }
    }
    Ok(opts)
}

/// Number of worker threads: one per core.
pub fn workers() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

/// Formats a duration as seconds with one decimal.
pub fn secs(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

/// An exclusive advisory lock on a file, held until dropped; keeps two
/// concurrent runs from clobbering each other's work dirs.
pub struct FileLock(#[allow(dead_code, reason = "held for its Drop")] std::fs::File);

impl FileLock {
    pub fn acquire(path: &Path, what: &str) -> Result<FileLock, String> {
        use std::os::fd::AsRawFd as _;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let file = std::fs::File::create(path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        // SAFETY: flock on a file descriptor we own.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            println!(
                "{what}: waiting for another run to release {}",
                path.display()
            );
            // SAFETY: as above, now blocking.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
                return Err(format!(
                    "cannot lock {}: {}",
                    path.display(),
                    std::io::Error::last_os_error()
                ));
            }
        }
        Ok(FileLock(file))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_timeout_kills_grandchildren() {
        // The grandchild `sleep` holds the output pipes: unless it is killed
        // with its parent, collecting the output waits for it.
        let start = std::time::Instant::now();
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "sleep 30; echo done"]);
        let err = run_captured_timeout_group(&mut cmd, Duration::from_millis(200)).unwrap_err();
        assert!(err.contains("timed out"), "{err}");
        assert!(start.elapsed() < Duration::from_secs(10));
    }
}
