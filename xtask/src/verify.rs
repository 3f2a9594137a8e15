//! `cargo xtask verify`: everything CI checks, in order, stopping at the first
//! failure. The differential suite runs in this process, reusing the wasmtime
//! that xtask already links (so CI builds wasmtime exactly once).

use std::time::Instant;

use crate::differential::{self, SuiteOpts};
use crate::util::{self, cargo, parse_opts, run_inherited};
use crate::{fuzz, setup, synth, toolchain};

const SYNTHETIC: &str = "synthetic-large";

/// `verify` (checks = true) or `diff` (only the release build and the suite).
pub fn run(args: &[String], checks: bool) -> Result<(), String> {
    let opts = parse_opts(
        args,
        &[
            "--long",
            "--skip-checks",
            "--filter",
            "--keep",
            "--no-cache",
        ],
    )?;
    let checks = checks && !opts.skip_checks;
    let start = Instant::now();

    let mut steps: Vec<(String, std::process::Command)> = Vec::new();
    if checks {
        let mut fmt = cargo();
        fmt.args(["fmt", "--all", "--", "--check"]);
        let mut clippy = cargo();
        clippy.args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]);
        // xtask's own tests run here too: with the three packages selected, cargo resolves the
        // features `cargo xtask` resolves (xtask also depends on weld's test-only crates), so
        // wasmtime is built once per run, not once for xtask and again for weld-gen's tests.
        let mut test = cargo();
        test.args(["test", "-p", "weld", "-p", "weld-gen", "-p", "xtask"]);
        if opts.long {
            // Many more generated programs and mutations, and the ignored campaign tests.
            test.env("WELD_GEN_CASES", "2000");
            // The full robustness run of issue 12 (tests/robustness.rs; 3,000 otherwise).
            test.env("WELD_ROBUSTNESS_CASES", "10000");
            test.env("WELD_KILL_CASES", "500");
            test.args(["--", "--include-ignored"]);
        }
        steps.extend([fmt, clippy, test].into_iter().map(|c| (step_name(&c), c)));
    }
    if toolchain::weld_overridden() {
        println!(
            "verify: WELD={} (not building weld)",
            toolchain::weld_path().display()
        );
    } else {
        let mut build = cargo();
        build.args(["build", "--release", "-p", "weld"]);
        steps.push((step_name(&build), build));
    }

    if !setup::missing().is_empty() {
        println!("verify: setup (reference toolchain incomplete)");
        if let Err(e) = setup::ensure() {
            return stopped("setup", e);
        }
    }
    for (name, mut cmd) in steps {
        let t = Instant::now();
        println!("verify: {name}");
        if let Err(e) = run_inherited(&mut cmd) {
            return stopped(&name, e);
        }
        println!("verify: {name}: ok ({})", util::secs(t.elapsed()));
    }

    // Under --long the synthetic large program is one more case, named
    // `synthetic-large` for --filter.
    let synthetic = opts.long && opts.filter.as_deref().is_none_or(|f| SYNTHETIC.contains(f));
    let summary = differential::run_suite(&SuiteOpts {
        allow_empty: synthetic,
        filter: opts.filter.clone(),
        keep: opts.keep,
        long: opts.long,
        no_cache: opts.no_cache,
    });
    let summary = match summary {
        Ok(s) => s,
        Err(e) => return stopped("differential suite", e),
    };
    let (mut passed, mut failed) = (summary.passed, summary.failed);
    if synthetic {
        let label = format!("{SYNTHETIC} clang-22 {}", synth::OPT.join(" "));
        match synth::differential() {
            Ok(()) => {
                passed += 1;
                println!("ok   {label}");
            }
            Err(e) => {
                failed += 1;
                println!("FAIL {label}\n{e}");
            }
        }
    }
    // Dynamic linking: the loader of issue 11 on wasm-ld-22's PIE and shared outputs.
    if opts.filter.as_deref().is_none_or(|f| "dynamic".contains(f)) {
        match crate::dylink::run_cases() {
            Ok((p, f)) => {
                passed += p;
                failed += f;
            }
            Err(e) => {
                failed += 1;
                println!("FAIL dynamic cases\n{e}");
            }
        }
    }
    // Fuzzing: a short coverage-guided run of the parser (seeded with the suite's objects, which
    // the differential suite just compiled), longer under --long.
    if checks && opts.filter.is_none() {
        let secs = if opts.long { 300 } else { 20 };
        let t = Instant::now();
        match fuzz::fuzz("parse", secs) {
            Ok(stats) => {
                passed += 1;
                println!(
                    "ok   fuzz parse: {} inputs in {}, no failure ({} coverage edges)",
                    stats.runs,
                    util::secs(t.elapsed()),
                    stats.edges
                );
            }
            Err(e) => {
                failed += 1;
                println!("FAIL fuzz parse\n{e}");
            }
        }
        // The model-based targets' bodies, on seeded inputs (fuzz::smoke says why).
        for (target, secs) in [("link_model", 20), ("differential", 20)] {
            let secs = if opts.long { secs * 15 } else { secs };
            let t = Instant::now();
            match fuzz::smoke(target, secs) {
                Ok(stats) => {
                    passed += 1;
                    println!(
                        "ok   fuzz {target} (smoke, uninstrumented): {} programs in {}, no failure",
                        stats.runs,
                        util::secs(t.elapsed())
                    );
                }
                Err(e) => {
                    failed += 1;
                    println!("FAIL fuzz {target}\n{e}");
                }
            }
        }
    }
    println!("verify: total time {}", util::secs(start.elapsed()));
    println!("verify: {passed} passed, {failed} failed");
    if failed > 0 {
        Err(format!("{failed} differential case(s) failed"))
    } else {
        Ok(())
    }
}

/// `cargo <args>`, without the full path of the cargo binary.
fn step_name(cmd: &std::process::Command) -> String {
    let args: Vec<String> = cmd
        .get_args()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    format!("cargo {}", args.join(" "))
}

/// Reports a step that stopped the run, as the last line of output.
fn stopped(step: &str, e: String) -> Result<(), String> {
    eprintln!("xtask: error: {e}");
    println!("verify: stopped at `{step}`: 0 passed, 0 failed");
    Err(format!("verify stopped at `{step}`"))
}
