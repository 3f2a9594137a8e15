//! The `weld` command: wasm-ld's command line in, a linked module out.
//!
//! Installed under another name (`wasm-ld`, `rust-lld`), it answers to that name in its
//! diagnostics, as lld does, so that a driver's output reads the same whichever is in place.

use std::process::ExitCode;

use weld::cli::{self, Command};

fn main() -> ExitCode {
    let mut argv = std::env::args();
    let prog = program_name(argv.next().as_deref());
    let mut args: Vec<String> = argv.collect();
    // lld's multiplexer takes `-flavor NAME` as the first two arguments (rustc passes
    // `-flavor wasm` to rust-lld and wasm-ld alike).
    if args.first().is_some_and(|a| a == "-flavor") {
        match args.get(1).map(String::as_str) {
            Some("wasm") => {
                args.drain(..2);
            }
            Some(other) => {
                eprintln!("{prog}: error: weld links WebAssembly only: -flavor {other}");
                return ExitCode::from(1);
            }
            None => {
                eprintln!("{prog}: error: missing argument to -flavor");
                return ExitCode::from(1);
            }
        }
    }
    // `weld diff A.wasm B.wasm`: the semantic diff of two linked modules (spec/diff.md), unless
    // a file named `diff` is there to be linked.
    if args.first().is_some_and(|a| a == "diff") && !std::path::Path::new("diff").exists() {
        return diff(&prog, &args[1..]);
    }
    let mut config = match cli::parse(&args) {
        Ok(Command::Link(c)) => c,
        Ok(Command::Version) => {
            println!("{}", version());
            return ExitCode::SUCCESS;
        }
        Ok(Command::Help) => {
            print!("{}", cli::HELP);
            return ExitCode::SUCCESS;
        }
        Err(e) => return report(&prog, &e, false),
    };
    config.exit_after_link = true;
    let color = config.color_diagnostics;
    if config.print_version {
        println!("{}", version());
    }
    // A module written to standard output comes after the messages printed there.
    let to_stdout = config.output.as_os_str() == "-";
    let linked = if to_stdout {
        weld::link_to_bytes(&config)
    } else {
        weld::link(&config).map(|out| (Vec::new(), out))
    };
    let (bytes, out) = match linked {
        Ok(linked) => linked,
        Err(e) => return report(&prog, &e, color),
    };
    let mut after_lines = false;
    for w in &out.warnings {
        diagnostic(&prog, "warning", w, color, &mut after_lines);
    }
    for line in &out.messages {
        println!("{line}");
    }
    if to_stdout && let Err(e) = weld::write_atomically(&config.output, &bytes) {
        return report(&prog, &e, color);
    }
    if let (Some(path), Some(map)) = (&config.map_file, &out.map) {
        let written = if path == "-" {
            print!("{map}");
            Ok(())
        } else {
            weld::write_atomically(std::path::Path::new(path), map.as_bytes())
        };
        if let Err(e) = written {
            return report(&prog, &e, color);
        }
    }
    ExitCode::SUCCESS
}

/// `weld diff A B`: prints the differences in meaning, one per line; exit status 0 when there
/// are none, 1 when there are, 2 when a module cannot be read (as diff(1)).
fn diff(prog: &str, args: &[String]) -> ExitCode {
    let [a, b] = args else {
        eprintln!("{prog}: error: usage: {prog} diff A.wasm B.wasm");
        return ExitCode::from(2);
    };
    let read = |path: &String| {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        weld::diff::Summary::read(&bytes).map_err(|e| format!("{path}: {e}"))
    };
    let result = read(a).and_then(|x| Ok(weld::diff::diff_summaries(&x, &read(b)?)));
    match result {
        Ok(lines) if lines.is_empty() => ExitCode::SUCCESS,
        Ok(lines) => {
            for line in lines {
                println!("{line}");
            }
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("{prog}: error: {e}");
            ExitCode::from(2)
        }
    }
}

fn version() -> String {
    format!(
        "weld {} (compatible with wasm-ld 22)",
        env!("CARGO_PKG_VERSION")
    )
}

/// The name diagnostics start with: the file name weld was run as, without a `.exe`.
fn program_name(argv0: Option<&str>) -> String {
    let base = argv0
        .map(std::path::Path::new)
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let base = base.strip_suffix(".exe").unwrap_or(&base);
    if base.is_empty() {
        "weld".to_string()
    } else {
        base.to_string()
    }
}

fn report(prog: &str, e: &weld::Error, color: bool) -> ExitCode {
    let mut after_lines = false;
    for w in &e.warnings {
        diagnostic(prog, "warning", w, color, &mut after_lines);
    }
    for d in &e.diagnostics {
        diagnostic(prog, "error", d, color, &mut after_lines);
    }
    ExitCode::from(1)
}

/// Prints one diagnostic; as lld does, a blank line separates it from a previous one of
/// several lines (`after_lines`). The `>>> referenced by` line weld adds to wasm-ld's
/// one-line messages does not count (spec/diagnostics.md).
fn diagnostic(
    prog: &str,
    kind: &str,
    message: &impl std::fmt::Display,
    color: bool,
    after_lines: &mut bool,
) {
    let text = message.to_string();
    let lines = text
        .lines()
        .skip(1)
        .any(|l| !l.starts_with(">>> referenced by "));
    let sep = if std::mem::replace(after_lines, lines) {
        "\n"
    } else {
        ""
    };
    eprintln!("{sep}{prog}: {}{text}", label(kind, color));
}

/// `error: ` or `warning: `, in lld's colours (red, magenta) under `--color-diagnostics`.
fn label(kind: &str, color: bool) -> String {
    match (kind, color) {
        ("error", true) => "\x1b[0;31merror: \x1b[0m".to_string(),
        (_, true) => "\x1b[0;35mwarning: \x1b[0m".to_string(),
        (kind, false) => format!("{kind}: "),
    }
}
