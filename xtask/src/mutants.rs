//! `cargo xtask mutants`: mutation testing of the linker core with cargo-mutants.
//!
//! Every mutant of the core files (resolution, gc, layout, relocation, writing) is built and
//! weld's test suite (`cargo test -p weld`: unit tests, the integration tests comparing with
//! wasm-ld-22, and `tests/corpus.rs`, which links the differential programs in-process and
//! requires wasm-ld's bytes) must fail on it. Mutants that survive are listed; those judged
//! equivalent (no test can tell them apart) are in `xtask/mutants-equivalent.txt` with reasons.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::util::{self, cargo, repo_root};

/// The core: the phases after reading, and the relocation table.
pub const CORE: &[&str] = &[
    "src/resolve.rs",
    "src/gc.rs",
    "src/layout.rs",
    "src/reloc.rs",
    "src/strings.rs",
    "src/write.rs",
    "src/linking.rs",
];

const USAGE: &str =
    "usage: cargo xtask mutants [--shard K/N] [--file src/F.rs]... [--iterate] [--list]";

/// `cargo xtask mutants [--shard K/N] [--file F]... [--list]`.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut shard = None;
    let mut files: Vec<String> = Vec::new();
    let mut list = false;
    let mut iterate = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--shard" => shard = Some(it.next().ok_or(USAGE)?.clone()),
            "--file" => files.push(it.next().ok_or(USAGE)?.clone()),
            "--list" => list = true,
            // Test again only what the last run did not catch (after adding tests).
            "--iterate" => iterate = true,
            _ => return Err(format!("unknown option `{a}`\n{USAGE}")),
        }
    }
    if files.is_empty() {
        files = CORE.iter().map(|s| s.to_string()).collect();
    }
    if Command::new("cargo-mutants")
        .arg("--version")
        .output()
        .is_err()
    {
        println!("mutants: installing cargo-mutants (cargo install cargo-mutants --locked)");
        let mut install = cargo();
        install.args(["install", "cargo-mutants", "--locked"]);
        util::run_inherited(&mut install)?;
    }
    let root = repo_root();
    let out_dir = root.join("target").join("mutants");
    let mut cmd = cargo();
    cmd.args([
        "mutants",
        "-p",
        "weld",
        "--test-package",
        "weld",
        "--no-shuffle",
    ]);
    for f in &files {
        cmd.args(["--file", f]);
    }
    if let Some(s) = &shard {
        // Round-robin: a shard is a sample of every file, not a slice of one.
        cmd.args(["--shard", s, "--sharding", "round-robin"]);
    }
    if iterate {
        cmd.arg("--iterate");
    }
    if list {
        cmd.arg("--list");
        return util::run_inherited(&mut cmd);
    }
    // A mutant that loops forever is caught by the timeout. The floor keeps a busy machine from
    // turning a slow surviving mutant into a "timeout" that would count as caught.
    cmd.args([
        "--timeout-multiplier",
        "3",
        "--minimum-test-timeout",
        "120",
        "--output",
    ])
    .arg(&out_dir);
    let t = Instant::now();
    println!("mutants: {}", util::show(&cmd));
    // cargo-mutants exits non-zero when mutants survive; the summary below says what happened.
    let _ = cmd.status();
    summarize(&root, &out_dir.join("mutants.out"), t)
}

/// Prints caught/missed counts and the score, and the survivors not judged equivalent.
fn summarize(root: &Path, dir: &Path, t: Instant) -> Result<(), String> {
    let read = |name: &str| -> Vec<String> {
        std::fs::read_to_string(dir.join(name))
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect()
    };
    let caught = read("caught.txt");
    let missed = read("missed.txt");
    let timeout = read("timeout.txt");
    let unviable = read("unviable.txt");
    if caught.is_empty() && missed.is_empty() && timeout.is_empty() {
        return Err(format!("no results in {}", dir.display()));
    }
    let equivalent =
        std::fs::read_to_string(root.join("xtask/mutants-equivalent.txt")).unwrap_or_default();
    let judged: Vec<&str> = equivalent
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split(" # ").next())
        .map(str::trim)
        .collect();
    let (equiv, live): (Vec<&String>, Vec<&String>) =
        missed.iter().partition(|m| judged.contains(&m.trim()));
    let viable = caught.len() + missed.len() + timeout.len();
    let killed = caught.len() + timeout.len();
    println!(
        "mutants: {viable} viable ({} unviable) in {}: {} caught, {} timed out, {} missed \
         ({} judged equivalent)",
        unviable.len(),
        util::secs(t.elapsed()),
        caught.len(),
        timeout.len(),
        missed.len(),
        equiv.len()
    );
    let score = |k: usize, n: usize| 100.0 * k as f64 / n.max(1) as f64;
    println!(
        "mutants: score {:.1}% of viable mutants; {:.1}% leaving out the equivalent ones",
        score(killed, viable),
        score(killed, viable - equiv.len())
    );
    for m in live {
        println!("  missed: {m}");
    }
    Ok(())
}
