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
    match weld::link(&config) {
        Ok(out) => {
            for w in &out.warnings {
                eprintln!("weld: warning: {w}");
            }
            for line in &out.gc_report {
                eprintln!("{line}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => report(&e),
    }
}

fn report(e: &weld::Error) -> ExitCode {
    for d in &e.diagnostics {
        eprintln!("weld: error: {d}");
    }
    ExitCode::from(1)
}
