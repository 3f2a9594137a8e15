//! Developer tasks for weld: `cargo xtask <command>`.
//!
//! Everything that needs the reference toolchain or wasmtime lives here, so the
//! `weld` crate itself stays free of heavy dependencies.

mod bench;
mod cases;
mod demo;
mod differential;
mod dylink;
mod fuzz;
mod mutants;
mod objcache;
mod run;
mod setup;
mod synth;
mod toolchain;
mod util;
mod vendor;
mod verify;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  setup                 check for the reference toolchain; install it with apt-get if root
  verify [options]      fmt, clippy, tests, release build, then the differential suite
      --long            also -Os/-O3 variants, the synthetic large program and ignored tests
      --skip-checks     skip the fmt/clippy/test steps
      --filter SUBSTR   only differential cases whose name contains SUBSTR
      --keep            keep the work dirs of passing cases under target/differential/
      --no-cache        recompile every object (default: reuse unchanged ones from
                        target/differential-cache/)
  diff [options]        only the differential suite (same options as verify)
  dylink                the dynamic-linking cases of tests/dynamic/ (linked by wasm-ld-22 for
                        now) under the harness's loader, which follows DynamicLinking.md
  demo                  link examples/hello/hello.c with weld through clang and run it
  run FILE.wasm [ARGS | --call F...]
                        run a linked command (or call a library's exports) in the harness's
                        deterministic WASI host, with wasi-threads and memory64
  bench [options]       link each case (-O1 -g; Rust -C opt-level=1 -g) 10x with weld and
                        wasm-ld alternately: time and peak memory ratios, the floor (read
                        every input + write the output), a cached relink (--cache-dir), and
                        byte-identical output under --threads 1, 2 and 8
      --filter SUBSTR   only cases whose name contains SUBSTR
      --runs N          links per linker and case (default 10)
      --large           also the synthetic input at 1x, 2x, 4x and 8x (1,000 to 8,000
                        objects, generated once and cached): a scaling table and
                        target/bench/scaling.svg
  gen-large [--scale N] only generate and compile the synthetic input at scale N (default 2,
                        about 2,000 objects) under target/bench-input
  mutants [--shard K/N] [--file src/F.rs]... [--iterate] [--jobs N] [--list] [--summary]
                        mutation testing of the linker core with cargo-mutants against
                        `cargo test -p weld`; prints the score and the surviving mutants.
                        --iterate re-tests only what earlier runs did not catch; the score
                        is that of every current mutant's latest outcome
                        (target/mutants/ledger.txt); --summary prints it without running
  fuzz TARGET [--time N] [--smoke]
                        coverage-guided libFuzzer run of fuzz/fuzz_targets/TARGET.rs for N
                        seconds (default 60); targets: parse, link_model, differential;
                        --smoke: the model-based targets on seeded inputs, uninstrumented

environment:
  WELD=/path/to/linker  use this linker instead of target/release/weld (and skip building it)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((cmd, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return ExitCode::FAILURE;
    };
    let result = match cmd.as_str() {
        "setup" => setup::run(rest),
        "verify" => verify::run(rest, true),
        "diff" => verify::run(rest, false),
        "demo" => demo::run(rest),
        "run" => run::run_file(rest),
        "bench" => bench::run(rest),
        "dylink" => dylink::run(rest),
        // Internal: bench runs each measured link through a fresh, small xtask process.
        bench::MEASURE => bench::measure_child(rest),
        "gen-large" => synth::run(rest),
        "fuzz" => fuzz::run(rest),
        "mutants" => mutants::run(rest),
        "help" | "-h" | "--help" => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}
