//! `cargo xtask fuzz <target> --time N`: one coverage-guided libFuzzer run of a target in
//! `fuzz/` (the standard cargo-fuzz layout).
//!
//! The target is built with plain `cargo` and the same coverage instrumentation flags cargo-fuzz
//! passes (`-Cpasses=sancov-module` …), which are stable options: no nightly toolchain and no
//! cargo-fuzz install is needed, and `cargo fuzz run <target>` works on the same directory.
//! The corpus lives in `target/fuzz/corpus/<target>/`, seeded with the differential suite's
//! small objects; crashes go to `target/fuzz/artifacts/<target>/`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::util::{self, cargo, parse_opts, repo_root};

/// The targets of `fuzz/fuzz_targets/`.
pub const TARGETS: &[&str] = &["parse", "link_model", "differential"];

/// Seeds larger than this are left out: libFuzzer spends its time on small inputs anyway.
const MAX_SEED: u64 = 64 * 1024;
/// At most this many seeds (the smallest, in name order among equals).
const MAX_SEEDS: usize = 300;

/// What one run did.
pub struct Stats {
    /// Inputs executed.
    pub runs: u64,
    /// Coverage edges reached (libFuzzer's `cov:`).
    pub edges: u64,
}

/// `cargo xtask fuzz <target> [--time N]`.
pub fn run(args: &[String]) -> Result<(), String> {
    let Some((target, rest)) = args.split_first() else {
        return Err(format!(
            "usage: cargo xtask fuzz <{}> [--time N]",
            TARGETS.join("|")
        ));
    };
    let opts = parse_opts(rest, &["--time", "--smoke"])?;
    let secs = opts.time.unwrap_or(60);
    let t = Instant::now();
    if opts.smoke {
        let stats = smoke(target, secs)?;
        println!(
            "fuzz {target} (smoke, uninstrumented): {} programs in {} without a failure",
            stats.runs,
            util::secs(t.elapsed())
        );
        return Ok(());
    }
    let stats = fuzz(target, secs)?;
    println!(
        "fuzz {target}: {} inputs in {} without a failure ({} coverage edges)",
        stats.runs,
        util::secs(t.elapsed()),
        stats.edges
    );
    Ok(())
}

/// Builds `target` with coverage instrumentation and fuzzes it for `secs` seconds.
pub fn fuzz(target: &str, secs: u64) -> Result<Stats, String> {
    if !TARGETS.contains(&target) {
        return Err(format!(
            "unknown fuzz target `{target}` (targets: {})",
            TARGETS.join(", ")
        ));
    }
    let root = repo_root();
    let bin = build(&root, target)?;
    let work = root.join("target").join("fuzz");
    let corpus = work.join("corpus").join(target);
    let seeds = work.join("seeds");
    let artifacts = work.join("artifacts").join(target);
    for d in [&corpus, &artifacts] {
        std::fs::create_dir_all(d).map_err(|e| format!("cannot create {}: {e}", d.display()))?;
    }
    gather_seeds(&seeds)?;
    let mut cmd = Command::new(&bin);
    cmd.arg(format!("-max_total_time={secs}"))
        .arg("-print_final_stats=1")
        .arg("-rss_limit_mb=4096")
        .arg("-timeout=30")
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .arg(&corpus)
        .arg(&seeds);
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let log = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(format!(
            "fuzz target `{target}` failed; the input is in {}:\n{}",
            artifacts.display(),
            util::indent(&tail.join("\n"), "  ")
        ));
    }
    Ok(Stats {
        runs: stat(&log, "stat::number_of_executed_units:"),
        edges: last_cov(&log),
    })
}

/// Builds the instrumented target binary; returns its path.
fn build(root: &Path, target: &str) -> Result<PathBuf, String> {
    // The flags cargo-fuzz passes for libFuzzer's coverage feedback (no sanitizer: these are
    // all stable options).
    let flags = [
        "--cfg fuzzing",
        "-Cpasses=sancov-module",
        "-Cllvm-args=-sanitizer-coverage-level=4",
        "-Cllvm-args=-sanitizer-coverage-inline-8bit-counters",
        "-Cllvm-args=-sanitizer-coverage-pc-table",
        "-Cllvm-args=-sanitizer-coverage-trace-compares",
        "-Cdebug-assertions",
        "-Coverflow-checks",
    ];
    let target_dir = root.join("fuzz").join("target");
    // An explicit `--target` keeps RUSTFLAGS away from build scripts, as cargo-fuzz does.
    let host = host_triple()?;
    let mut cmd = cargo();
    cmd.args(["build", "--release", "--manifest-path"])
        .arg(root.join("fuzz").join("Cargo.toml"))
        .args(["--bin", target, "--target", &host])
        // `parse` needs neither the generator nor wasmtime (fuzz/Cargo.toml).
        .args(if target == "parse" {
            &["--no-default-features"][..]
        } else {
            &[]
        })
        .env("RUSTFLAGS", flags.join(" "))
        .env("CARGO_TARGET_DIR", &target_dir);
    println!("fuzz: building {target} ({})", util::show(&cmd));
    util::run_inherited(&mut cmd)?;
    Ok(target_dir.join(&host).join("release").join(target))
}

/// The host's target triple, from `rustc -vV`.
fn host_triple() -> Result<String, String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = util::run_captured(Command::new(rustc).arg("-vV"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_string)
        .ok_or_else(|| "`rustc -vV` printed no host triple".to_string())
}

/// Copies the differential suite's small cached objects into `dir` as seeds (it may be empty
/// before the suite first ran; libFuzzer then starts from nothing).
fn gather_seeds(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut found: Vec<(u64, PathBuf)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir(crate::objcache::dir()) {
        for e in entries.flatten() {
            let len = e.metadata().map(|m| m.len()).unwrap_or(u64::MAX);
            if len <= MAX_SEED {
                found.push((len, e.path()));
            }
        }
    }
    found.sort();
    for (_, path) in found.into_iter().take(MAX_SEEDS) {
        let to = dir.join(path.file_name().unwrap_or_default());
        if !to.exists() {
            std::fs::copy(&path, &to)
                .map_err(|e| format!("cannot copy {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

fn stat(log: &str, key: &str) -> u64 {
    log.lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// The last `cov: N` libFuzzer printed.
fn last_cov(log: &str) -> u64 {
    log.lines()
        .rev()
        .find_map(|l| {
            let rest = l.split("cov: ").nth(1)?;
            rest.split_whitespace().next()?.parse().ok()
        })
        .unwrap_or(0)
}

/// A short run of a model-based target's body (`link_model`, `differential`) without
/// coverage instrumentation, in this process: inputs come from a seeded generator rather than
/// from libFuzzer, so the run needs no second (instrumented) wasmtime build. `cargo xtask
/// fuzz` runs the same bodies under libFuzzer.
pub fn smoke(target: &str, secs: u64) -> Result<Stats, String> {
    use weld_gen::run::{CheckOptions, check_program};
    let opts = match target {
        // The same options as fuzz/fuzz_targets/link_model.rs and differential.rs.
        "link_model" => CheckOptions {
            wasm_ld: false,
            determinism: false,
            permute: false,
            relocatable: true,
        },
        "differential" => CheckOptions {
            wasm_ld: true,
            ..CheckOptions::default()
        },
        _ => return Err(format!("`{target}` has no in-process smoke run")),
    };
    let deadline = Instant::now() + std::time::Duration::from_secs(secs);
    // xorshift64*: a fixed, dependency-free byte source so that a failure can be replayed from
    // the printed case number.
    let mut state: u64 = 0x5eed_f022_0000_0001;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    let mut runs = 0u64;
    while Instant::now() < deadline {
        let len = 64 + (next() % 4032) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        let program = weld_gen::generate::program_from_bytes(&bytes);
        if let Err(f) = check_program(&program, &opts) {
            let path = repo_root()
                .join("target")
                .join("fuzz")
                .join(format!("smoke-{target}-{runs}.bin"));
            let _ = std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")));
            let _ = std::fs::write(&path, &bytes);
            return Err(format!(
                "{target} case {runs} failed (input saved as {}; replay it with the fuzz \
                 target):\n{}",
                path.display(),
                util::indent(&f.to_string(), "  ")
            ));
        }
        runs += 1;
    }
    Ok(Stats { runs, edges: 0 })
}
