//! The `weld` command: wasm-ld's command line in, a linked module out.

use std::process::ExitCode;

use weld::cli::{self, Command};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match cli::parse(&args) {
        Ok(Command::Link(c)) => c,
        Ok(Command::Version) => {
            println!(
                "weld {} (compatible with wasm-ld 22)",
                env!("CARGO_PKG_VERSION")
            );
            return ExitCode::SUCCESS;
        }
        Ok(Command::Help) => {
            print!("{}", cli::HELP);
            return ExitCode::SUCCESS;
        }
        Err(e) => return report(&e),
    };
    let (bytes, out) = match weld::link_to_bytes(&config) {
        Ok(linked) => linked,
        Err(e) => return report(&e),
    };
    for w in &out.warnings {
        eprintln!("weld: warning: {w}");
    }
    // wasm-ld prints this report to standard output.
    for line in &out.gc_report {
        println!("{line}");
    }
    if let Err(e) = weld::write_atomically(&config.output, &bytes) {
        return report(&e);
    }
    // The process ends here: returning the output's memory to the system first would only
    // cost time (as in other linkers, nothing is freed on the way out).
    std::mem::forget(bytes);
    ExitCode::SUCCESS
}

fn report(e: &weld::Error) -> ExitCode {
    for d in &e.diagnostics {
        eprintln!("weld: error: {d}");
    }
    ExitCode::from(1)
}
