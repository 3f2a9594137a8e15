//! The differential suite: every case is compiled with each compiler at each
//! optimisation level, linked by wasm-ld and by weld with the same arguments,
//! and both outputs are validated and run; any behavioural difference fails.
//! Rust cases are built by rustc, which links with weld itself; wasm-ld then
//! replays the link line rustc gave weld.

use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::cases::{self, Case, Rust};
use crate::objcache;
use crate::run::{End, Entry, Outcome, RunSpec, Runner};
use crate::toolchain::{self, Builder, Compiler, CrateType, Lang, LinkSpec};
use crate::util::{self, run_captured, run_captured_timeout, run_captured_timeout_group, show};

/// Optimisation levels every case is built at.
pub const OPT_LEVELS: &[&[&str]] = &[&["-O0"], &["-O2"], &["-O1", "-g"]];
/// Extra levels under `verify --long`.
pub const LONG_OPT_LEVELS: &[&[&str]] = &[&["-Os"], &["-O3"]];
/// The same for Rust cases (`-C debuginfo=2` at rustc's default opt-level 0).
pub const RUST_OPT_LEVELS: &[&[&str]] = &[
    &["-C", "opt-level=0"],
    &["-C", "opt-level=2"],
    &["-C", "debuginfo=2"],
];
pub const RUST_LONG_OPT_LEVELS: &[&[&str]] = &[&["-C", "opt-level=s"], &["-C", "opt-level=3"]];

pub struct SuiteOpts {
    pub filter: Option<String>,
    pub keep: bool,
    pub long: bool,
    pub no_cache: bool,
    /// No matching case is fine (the filter selected something else).
    pub allow_empty: bool,
}

/// Totals of a suite run.
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
}

/// One (case, compiler, opt level) combination.
struct Job<'a> {
    case: &'a Case,
    builder: Builder,
    opt: &'static [&'static str],
}

impl Job<'_> {
    fn label(&self) -> String {
        format!(
            "{} {} {}",
            self.case.name,
            self.builder.name(),
            self.opt.join(" ")
        )
    }
}

/// Runs the suite and prints one line per variant plus failure details.
pub fn run_suite(opts: &SuiteOpts) -> Result<Summary, String> {
    let root = util::repo_root();
    let weld = toolchain::weld_path();
    if !weld.is_file() {
        return Err(format!(
            "linker under test not found at {} (build it with `cargo build --release -p weld`, or set WELD)",
            weld.display()
        ));
    }
    let mut cases = Vec::new();
    let mut broken = Vec::new();
    for case in cases::discover(&root, opts.filter.as_deref())? {
        match case {
            Ok(c) => cases.push(c),
            Err(e) => broken.push(e),
        }
    }
    let levels = |normal: &[&'static [&'static str]], long: &[&'static [&'static str]]| {
        let extra = if opts.long { long } else { &[] };
        normal
            .iter()
            .chain(extra)
            .copied()
            .collect::<Vec<&'static [&'static str]>>()
    };
    let c_levels = levels(OPT_LEVELS, LONG_OPT_LEVELS);
    let rust_levels = levels(RUST_OPT_LEVELS, RUST_LONG_OPT_LEVELS);
    let mut jobs = Vec::new();
    let threads_missing = toolchain::threads_sysroot().is_none();
    for case in cases.iter().filter(|c| opts.long || !c.long_only) {
        if case.threads && threads_missing {
            println!(
                "  skipped {}: the threaded wasi-libc sysroot is not on this machine \
                 (../shared/sysroots/wasm32-wasip1-threads or $WELD_THREADS_SYSROOT)",
                case.name
            );
            continue;
        }
        let (builders, levels): (Vec<Builder>, _) = match case.rust {
            Some(_) => (vec![Builder::Rustc], &rust_levels),
            None => (
                case.compilers.iter().map(|&c| Builder::Clang(c)).collect(),
                &c_levels,
            ),
        };
        for builder in builders {
            for &opt in levels {
                jobs.push(Job { case, builder, opt });
            }
        }
    }
    // Biggest cases first, so a long compile (sqlite3.c) does not start last
    // and leave the other core idle.
    let weights: Vec<u64> = jobs.iter().map(|j| source_bytes(j.case)).collect();
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(weights[i]));
    let mut slots: Vec<Option<Job<'_>>> = jobs.into_iter().map(Some).collect();
    let jobs: Vec<Job<'_>> = order.iter().filter_map(|&i| slots[i].take()).collect();
    if jobs.is_empty() && broken.is_empty() && opts.allow_empty {
        return Ok(Summary {
            passed: 0,
            failed: 0,
        });
    }
    if jobs.is_empty() && broken.is_empty() {
        return Err(match &opts.filter {
            Some(f) => format!("no differential case matches `{f}`"),
            None => format!("no differential cases under {}", cases::CASES_DIR),
        });
    }
    let total = jobs.len() + broken.len();
    println!(
        "differential: {} variants of {} cases, linker under test: {}",
        jobs.len(),
        cases.len(),
        weld.display()
    );
    // A case.txt that does not parse counts as one failed case.
    for e in &broken {
        println!("FAIL {e}");
    }
    let workdir_root = root.join("target/differential");
    let _lock = util::FileLock::acquire(&workdir_root.join(".lock"), "differential")?;
    let start = Instant::now();
    let runner = Runner::new()?;
    let phases = Phases::default();
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let identical = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..util::workers().min(total) {
            s.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(index) else {
                        break;
                    };
                    let dir = workdir_root.join(&job.case.name).join(format!(
                        "{}{}",
                        job.builder.name(),
                        slug(job.opt)
                    ));
                    let result = run_job(&runner, job, &weld, &dir, &phases, !opts.no_cache);
                    let label = job.label();
                    let mut out = std::io::stdout().lock();
                    match result {
                        Ok(same_bytes) => {
                            if same_bytes {
                                identical.fetch_add(1, Ordering::Relaxed);
                            }
                            let _ = writeln!(out, "ok   {label}");
                            if !opts.keep {
                                let _ = std::fs::remove_dir_all(&dir);
                                // Only succeeds once the case's last variant is gone.
                                if let Some(case_dir) = dir.parent() {
                                    let _ = std::fs::remove_dir(case_dir);
                                }
                            }
                        }
                        Err(msg) => {
                            let _ = writeln!(out, "FAIL {label}");
                            failures.lock().unwrap().push((index, msg, dir));
                        }
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort_by_key(|f| f.0);
    // Variants of a case often fail identically; show such details once.
    let mut shown: Vec<(&str, String, String)> = Vec::new();
    for (index, msg, dir) in &failures {
        let job = &jobs[*index];
        let label = job.label();
        let mut key = msg.replace(&dir.display().to_string(), "<work dir>");
        if let Builder::Clang(compiler) = job.builder {
            key = key.replace(compiler.builtins(), "<builtins>");
        }
        if let Some((_, _, first)) = shown
            .iter()
            .find(|(case, k, _)| *case == job.case.name && *k == key)
        {
            println!(
                "FAIL {label}: same as {first} (work dir: {})",
                dir.display()
            );
            continue;
        }
        println!(
            "\nFAIL {label}\n{}\n  work dir: {}",
            msg.trim_end(),
            dir.display()
        );
        shown.push((&job.case.name, key, label));
    }
    println!(
        "\ndifferential: {} variants in {}, {} byte-identical to wasm-ld and to weld's own \
         {} more links (--threads 1, 2, 8, default) \
         (summed over threads: compile {}, link {}, run {})",
        jobs.len(),
        util::secs(start.elapsed()),
        identical.load(Ordering::Relaxed),
        DETERMINISM_RUNS.len(),
        phases.compile.show(),
        phases.link.show(),
        phases.run.show(),
    );
    Ok(Summary {
        passed: total - failures.len() - broken.len(),
        failed: failures.len() + broken.len(),
    })
}

/// A link taking longer than this is a hung linker.
const LINK_TIMEOUT: Duration = Duration::from_secs(120);
/// A rustc run (compile, plus the link with weld) taking longer than this
/// has hung.
const RUSTC_TIMEOUT: Duration = Duration::from_secs(300);
/// What one rustc run costs regardless of source size (std's generics are
/// compiled each time), in the source bytes used to order jobs: about a
/// megabyte of C.
const RUSTC_WEIGHT: u64 = 1 << 20;

/// Time spent per phase, summed over worker threads, to see where the
/// suite's runtime goes.
#[derive(Default)]
struct Phases {
    compile: Nanos,
    link: Nanos,
    run: Nanos,
}

#[derive(Default)]
struct Nanos(AtomicU64);

impl Nanos {
    fn add(&self, since: Instant) {
        self.0
            .fetch_add(since.elapsed().as_nanos() as u64, Ordering::Relaxed);
    }
    fn show(&self) -> String {
        util::secs(Duration::from_nanos(self.0.load(Ordering::Relaxed)))
    }
}

/// Total size of a case's sources, a proxy for its compile time.
fn source_bytes(case: &Case) -> u64 {
    let vendor = case
        .vendor
        .iter()
        .flat_map(|v| v.sources.iter().map(|(p, _)| p));
    let rust = case
        .rust
        .iter()
        .flat_map(|r| std::iter::once(&r.root).chain(r.rlibs.iter().map(|l| &l.root)));
    let bytes: u64 = case
        .all_sources()
        .chain(vendor)
        .chain(rust.clone())
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    bytes + RUSTC_WEIGHT * rust.count() as u64
}

/// `-O1 -g` → `-O1-g`, for directory names.
fn slug(opt: &[&str]) -> String {
    opt.iter()
        .map(|o| o.replace(['/', ' '], "_"))
        .collect::<String>()
}

/// Builds, links, validates, runs and compares one variant. `Ok(true)` when
/// the two outputs were byte-identical.
fn run_job(
    runner: &Runner,
    job: &Job<'_>,
    weld: &Path,
    dir: &Path,
    phases: &Phases,
    use_cache: bool,
) -> Result<bool, String> {
    let case = job.case;
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("  cannot create {}: {e}", dir.display()))?;
    let (ref_out, weld_out) = output_paths(dir)?;
    let outs = Outputs {
        reference: &ref_out,
        weld: &weld_out,
    };
    let linked = match (job.builder, &case.rust) {
        (Builder::Clang(compiler), _) => {
            build_and_link_c(job, compiler, weld, dir, outs, phases, use_cache)?
        }
        (Builder::Rustc, Some(rust)) => {
            build_and_link_rust(rust, job.opt, weld, dir, outs, phases)?
        }
        (Builder::Rustc, None) => return Err(format!("  `{}` is not a Rust case", case.name)),
    };
    let linked_by = &linked.weld_cmd;
    let read =
        |p: &Path| std::fs::read(p).map_err(|e| format!("  cannot read {}: {e}", p.display()));
    let ref_bytes = read(&ref_out)?;
    let weld_bytes = read(&weld_out)?;
    validate(&ref_bytes).map_err(|e| format!("  wasm-ld's output does not validate: {e}"))?;
    validate(&weld_bytes)
        .map_err(|e| format!("  weld's output does not validate: {e}\n  linked by: {linked_by}"))?;

    let spec = run_spec(case)?;
    let same = ref_bytes == weld_bytes;
    let t = Instant::now();
    let reference = runner.run(&ref_bytes, &spec);
    let ours = if same {
        reference.clone()
    } else {
        runner.run(&weld_bytes, &spec)
    };
    phases.run.add(t);
    if let Err(e) = check_expectations(case, &reference) {
        save_outcomes(dir, &reference, &ours);
        return Err(format!(
            "  the reference (wasm-ld) run is not what case.txt expects: {e}"
        ));
    }
    let diff = ours.diff(&reference);
    if !diff.is_empty() {
        save_outcomes(dir, &reference, &ours);
        let meaning = if same {
            String::new()
        } else {
            explain(&ref_bytes, &weld_bytes)
        };
        return Err(format!("{diff}  linked by: {linked_by}{meaning}"));
    }
    // weld's promise is wasm-ld-22's bytes, not only its behaviour: a difference that does
    // not show when run (an unused stub, a name) fails too.
    if !same {
        return Err(format!(
            "  the outputs run alike, but weld's bytes differ from wasm-ld's: {}\n  \
             linked by: {linked_by}",
            first_difference(&ref_bytes, &weld_bytes)
        ));
    }
    let t = Instant::now();
    deterministic(weld, dir, outs.weld, &linked, &weld_bytes)?;
    phases.link.add(t);
    // No `weld -r` round trip for Rust cases: rustc drives their link, and
    // most of their code comes in rlibs (archives), not in objects of the case.
    if let Some(build) = &linked.c_build {
        let t = Instant::now();
        relocatable_round_trip(runner, case, weld, dir, build, &spec, &reference)?;
        phases.link.add(t);
    }
    Ok(same)
}

/// The runs of weld, beyond the first, whose outputs must be byte-identical to it: three
/// thread counts and one more default run (issue 12: 5 runs, `--threads` 1, 2 and 8).
const DETERMINISM_RUNS: &[(&str, Option<&str>)] = &[
    ("threads-1", Some("--threads=1")),
    ("threads-2", Some("--threads=2")),
    ("threads-8", Some("--threads=8")),
    ("again", None),
];

/// Links the variant again as [`DETERMINISM_RUNS`] says, each into a file of the first
/// output's name (the name section records it), and requires the first output's bytes.
fn deterministic(
    weld: &Path,
    dir: &Path,
    first: &Path,
    linked: &Linked,
    expected: &[u8],
) -> Result<(), String> {
    let name = first.file_name().unwrap_or_default();
    for (label, extra) in DETERMINISM_RUNS {
        let sub = dir.join("determinism").join(label);
        std::fs::create_dir_all(&sub)
            .map_err(|e| format!("  cannot create {}: {e}", sub.display()))?;
        let out = sub.join(name);
        let mut cmd = Command::new(weld);
        cmd.args(replay_args(&linked.weld_args, first, &out)?);
        cmd.args(extra);
        if let Some(cwd) = &linked.weld_cwd {
            cmd.current_dir(cwd);
        }
        run_captured_timeout(&mut cmd, LINK_TIMEOUT)
            .map_err(|e| format!("  weld failed when linking again ({label}):\n  {e}"))?;
        let bytes =
            std::fs::read(&out).map_err(|e| format!("  cannot read {}: {e}", out.display()))?;
        if bytes != expected {
            return Err(format!(
                "  weld's output changed when linked again ({label}): {}\n  linked by: {}{}",
                first_difference(expected, &bytes),
                show(&cmd),
                explain(expected, &bytes)
            ));
        }
    }
    Ok(())
}

/// Where two modules first differ: the offset, and the section it falls in for each.
pub fn first_difference(reference: &[u8], ours: &[u8]) -> String {
    let at = reference
        .iter()
        .zip(ours)
        .position(|(a, b)| a != b)
        .unwrap_or(reference.len().min(ours.len()));
    let section = |bytes: &[u8]| {
        for payload in wasmparser::Parser::new(0).parse_all(bytes) {
            let Ok(payload) = payload else { break };
            // The first section ending past the offset holds it, in its header or contents.
            if let Some((id, range)) = payload.as_section()
                && at < range.end
            {
                return match payload {
                    wasmparser::Payload::CustomSection(c) => format!("custom section {}", c.name()),
                    _ => format!("section {id}"),
                };
            }
        }
        "no section".to_string()
    };
    format!(
        "first at offset {at:#x} (wasm-ld: {}, {} bytes; weld: {}, {} bytes){}",
        section(reference),
        reference.len(),
        section(ours),
        ours.len(),
        explain(reference, ours)
    )
}

/// How two modules differ in meaning (`weld diff`, spec/diff.md), as indented lines: what a
/// failing comparison reports besides the offsets.
pub fn explain(reference: &[u8], ours: &[u8]) -> String {
    /// Enough lines to act on; the rest are counted.
    const SHOWN: usize = 20;
    match weld::diff::diff(reference, ours) {
        Ok(lines) if lines.is_empty() => {
            "\n    by meaning: no difference (the encodings differ)".to_string()
        }
        Ok(lines) => {
            let mut out = String::from("\n    by meaning (wasm-ld's, then weld's):");
            for line in lines.iter().take(SHOWN) {
                out.push_str("\n      ");
                out.push_str(line);
            }
            if lines.len() > SHOWN {
                out.push_str(&format!("\n      … and {} more", lines.len() - SHOWN));
            }
            out
        }
        Err(e) => format!("\n    by meaning: cannot compare: {e}"),
    }
}

/// A variant, linked by both linkers.
struct Linked {
    /// How weld was run, for messages.
    weld_cmd: String,
    /// weld's arguments as run (writing `Outputs::weld`), and the directory it ran in.
    weld_args: Vec<OsString>,
    weld_cwd: Option<PathBuf>,
    /// What a C/C++ variant was built with (for the `weld -r` round trip).
    c_build: Option<CBuild>,
}

struct CBuild {
    compiler: Compiler,
    inputs: Inputs,
}

/// Where the two linkers write: `<dir>/wasm-ld/out.wasm`, `<dir>/weld/out.wasm`.
#[derive(Clone, Copy)]
struct Outputs<'a> {
    reference: &'a Path,
    weld: &'a Path,
}

/// A C/C++ variant: compiles the case, then links it with wasm-ld and with
/// weld using the arguments clang's driver would pass.
fn build_and_link_c(
    job: &Job<'_>,
    compiler: Compiler,
    weld: &Path,
    dir: &Path,
    outs: Outputs<'_>,
    phases: &Phases,
    use_cache: bool,
) -> Result<Linked, String> {
    let case = job.case;
    let mut log = CommandLog::new(dir);
    let t = Instant::now();
    let inputs = build_inputs(case, compiler, job.opt, dir, &mut log, use_cache)
        .map_err(|e| format!("  {e}"))?;
    phases.compile.add(t);

    let args_for = |out: &Path| link_args(case, compiler, &inputs, out);
    let mut ref_cmd = Command::new(toolchain::WASM_LD);
    ref_cmd.args(args_for(outs.reference));
    let mut weld_cmd = Command::new(weld);
    weld_cmd.args(args_for(outs.weld));
    log.note(&ref_cmd);
    log.note(&weld_cmd);
    drop(log);
    let t = Instant::now();
    run_captured_timeout(&mut ref_cmd, LINK_TIMEOUT).map_err(|e| {
        format!("  reference link failed (the case should link with wasm-ld):\n  {e}")
    })?;
    let linked = run_captured_timeout(&mut weld_cmd, LINK_TIMEOUT);
    phases.link.add(t);
    if let Err(e) = linked {
        return Err(format!(
            "  weld failed to link while wasm-ld succeeded:\n  {e}"
        ));
    }
    Ok(Linked {
        weld_cmd: show(&weld_cmd),
        weld_args: args_for(outs.weld),
        weld_cwd: None,
        c_build: Some(CBuild { compiler, inputs }),
    })
}

/// A Rust variant: builds the case's rlibs, then has rustc compile the crate
/// and link it with weld, through a wrapper script that records rustc's link
/// arguments (`link-args.bin`, NUL-separated); wasm-ld then replays them with
/// its own output path, plus `--no-fatal-warnings` (rustc passes
/// `--fatal-warnings`, and wasm-ld warns about the `lib.rmeta` member of
/// every rlib). `-C save-temps` keeps rustc's objects for the replay.
/// Builds a Rust case's rlibs and has rustc compile the crate and link it to `out` with weld,
/// through a wrapper that records rustc's link arguments. Returns those arguments and how
/// rustc's run ended.
fn record_rust_link(
    rust: &Rust,
    opt: &[&str],
    weld: &Path,
    dir: &Path,
    out: &Path,
    log: &mut CommandLog,
) -> Result<(Vec<OsString>, Result<(), String>), String> {
    let mkdir = |d: &Path| {
        std::fs::create_dir_all(d).map_err(|e| format!("  cannot create {}: {e}", d.display()))
    };
    // rustc's temporary directory: kept by -C save-temps, so put it in the work dir.
    let tmp = dir.join("tmp");
    mkdir(&tmp)?;
    let mut externs: Vec<OsString> = Vec::new();
    if !rust.rlibs.is_empty() {
        let rlib_dir = dir.join("rlib");
        mkdir(&rlib_dir)?;
        let mut search = OsString::from("dependency=");
        search.push(&rlib_dir);
        externs.push("-L".into());
        externs.push(search);
        for rlib in &rust.rlibs {
            let mut cmd = toolchain::rustc_cmd(rust.target, "rlib", opt, &rlib.root);
            cmd.args(["--crate-name", &rlib.name])
                .args(&externs)
                .arg("--out-dir")
                .arg(&rlib_dir)
                .env("TMPDIR", &tmp);
            log.note(&cmd);
            run_captured_timeout_group(&mut cmd, RUSTC_TIMEOUT)
                .map_err(|e| format!("  compiling rlib `{}`:\n  {e}", rlib.name))?;
            let mut arg = OsString::from(format!("{}=", rlib.name));
            arg.push(rlib_dir.join(format!("lib{}.rlib", rlib.name)));
            externs.push("--extern".into());
            externs.push(arg);
        }
    }

    let args_file = dir.join("link-args.bin");
    let _ = std::fs::remove_file(&args_file);
    let wrapper = dir.join("weld-wrapper.sh");
    let script = format!(
        "#!/bin/sh\n# rustc's linker: records the arguments, then runs weld with them.\n\
         printf '%s\\0' \"$@\" > {}\nexec {} \"$@\"\n",
        sh_quote(&args_file),
        sh_quote(weld)
    );
    write_executable(&wrapper, &script)?;
    let mut linker = OsString::from("linker=");
    linker.push(&wrapper);
    let crate_type = rust.crate_type.name();
    let mut rustc = toolchain::rustc_cmd(rust.target, crate_type, opt, &rust.root);
    rustc
        .arg("-C")
        .arg(linker)
        .args(["-C", "save-temps"])
        .args(&externs)
        .arg("-o")
        .arg(out)
        .env("TMPDIR", &tmp);
    log.note(&rustc);
    log.flush();
    let built = run_captured_timeout_group(&mut rustc, RUSTC_TIMEOUT).map(|_| ());
    let recorded = match std::fs::read(&args_file) {
        Ok(bytes) => split_nul(&bytes),
        Err(_) => {
            return Err(match built {
                Err(e) => format!("  rustc failed before linking:\n  {e}"),
                Ok(()) => format!(
                    "  rustc succeeded without running the linker wrapper {}",
                    wrapper.display()
                ),
            });
        }
    };
    log.comment(&format!(
        "rustc ran weld (through {}) as:",
        wrapper.display()
    ));
    Ok((recorded, built))
}

/// The link line rustc gives its linker for a Rust case, built at `opt` in `dir`, as a
/// function of the output path (for `bench`). wasm-ld needs `--no-fatal-warnings` beside it
/// (see [`build_and_link_rust`]).
pub fn rust_link_line(
    rust: &Rust,
    opt: &[&str],
    weld: &Path,
    dir: &Path,
) -> Result<impl Fn(&Path) -> Vec<OsString>, String> {
    let mut log = CommandLog::new(dir);
    let first = dir.join("rustc-linked.wasm");
    let (recorded, built) = record_rust_link(rust, opt, weld, dir, &first, &mut log)?;
    built?;
    replay_args(&recorded, &first, &first)?;
    Ok(move |out: &Path| {
        let mut a = replay_args(&recorded, &first, out).unwrap_or_default();
        a.push("--no-fatal-warnings".into());
        a
    })
}

fn build_and_link_rust(
    rust: &Rust,
    opt: &[&str],
    weld: &Path,
    dir: &Path,
    outs: Outputs<'_>,
    phases: &Phases,
) -> Result<Linked, String> {
    let mut log = CommandLog::new(dir);
    let t = Instant::now();
    let (recorded, built) = record_rust_link(rust, opt, weld, dir, outs.weld, &mut log)?;
    phases.compile.add(t);
    let mut weld_cmd = Command::new(weld);
    weld_cmd.current_dir(util::repo_root()).args(&recorded);
    let weld_shown = show(&weld_cmd);
    log.comment(&weld_shown);

    let mut ref_cmd = Command::new(toolchain::WASM_LD);
    ref_cmd
        .current_dir(util::repo_root())
        .args(replay_args(&recorded, outs.weld, outs.reference)?)
        .arg("--no-fatal-warnings");
    log.note(&ref_cmd);
    drop(log);
    let t = Instant::now();
    let reference = run_captured_timeout(&mut ref_cmd, LINK_TIMEOUT);
    phases.link.add(t);
    reference.map_err(|e| {
        format!("  reference link failed (the case should link with wasm-ld):\n  {e}")
    })?;
    built.map_err(|e| {
        format!("  weld failed to link (run by rustc) while wasm-ld succeeded:\n  {e}")
    })?;
    Ok(Linked {
        weld_cmd: weld_shown,
        weld_args: recorded,
        weld_cwd: Some(util::repo_root()),
        c_build: None,
    })
}

/// rustc's link arguments for wasm-ld: the same, but writing to `reference`
/// instead of `weld`.
fn replay_args(
    recorded: &[OsString],
    weld: &Path,
    reference: &Path,
) -> Result<Vec<OsString>, String> {
    if let Some(rsp) = recorded
        .iter()
        .find(|a| a.as_encoded_bytes().starts_with(b"@"))
    {
        return Err(format!(
            "  rustc passed the linker a response file ({}), which the harness cannot replay",
            rsp.to_string_lossy()
        ));
    }
    let mut args = recorded.to_vec();
    let outputs: Vec<usize> = (0..args.len().saturating_sub(1))
        .filter(|&i| args[i] == "-o")
        .collect();
    match outputs[..] {
        [i] if Path::new(&args[i + 1]) == weld => args[i + 1] = reference.as_os_str().to_owned(),
        _ => {
            return Err(format!(
                "  rustc's link line does not have exactly one `-o {}`",
                weld.display()
            ));
        }
    }
    Ok(args)
}

/// The arguments of `printf '%s\0' "$@"`. (Its output for no arguments and
/// for one empty argument is the same, a lone NUL, read as no arguments.)
fn split_nul(bytes: &[u8]) -> Vec<OsString> {
    use std::os::unix::ffi::OsStrExt as _;
    let bytes = bytes.strip_suffix(b"\0").unwrap_or(bytes);
    if bytes.is_empty() {
        return Vec::new();
    }
    bytes
        .split(|&b| b == 0)
        .map(|a| std::ffi::OsStr::from_bytes(a).to_owned())
        .collect()
}

/// `path` quoted for sh.
fn sh_quote(path: &Path) -> String {
    format!("'{}'", path.to_string_lossy().replace('\'', r"'\''"))
}

fn write_executable(path: &Path, text: &str) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::write(path, text)
        .and_then(|()| std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)))
        .map_err(|e| format!("  cannot write {}: {e}", path.display()))
}

/// Metamorphic check of `weld -r`: the case's objects combined into one relocatable object
/// by weld, then linked (by weld, and by wasm-ld, which must accept weld's object) with the
/// same archives and libraries, must run exactly as the direct link did.
fn relocatable_round_trip(
    runner: &Runner,
    case: &Case,
    weld: &Path,
    dir: &Path,
    build: &CBuild,
    spec: &RunSpec,
    reference: &Outcome,
) -> Result<(), String> {
    let sub = dir.join("relocatable");
    std::fs::create_dir_all(&sub).map_err(|e| format!("  cannot create {}: {e}", sub.display()))?;
    let combined = sub.join("combined.o");
    let mut log = CommandLog::new(&sub);
    let mut r_cmd = Command::new(weld);
    if case.wasm64 {
        r_cmd.args(["-m", "wasm64"]);
    }
    r_cmd
        .arg("-r")
        .args(&build.inputs.objects)
        .arg("-o")
        .arg(&combined);
    log.note(&r_cmd);
    run_captured_timeout(&mut r_cmd, LINK_TIMEOUT)
        .map_err(|e| format!("  weld -r failed:\n  {e}"))?;
    let one = Inputs {
        objects: vec![combined],
        archives: build.inputs.archives.clone(),
    };
    for (linker, name) in [
        (weld.as_os_str(), "weld"),
        (toolchain::WASM_LD.as_ref(), "wasm-ld"),
    ] {
        let out_dir = sub.join(name);
        std::fs::create_dir_all(&out_dir)
            .map_err(|e| format!("  cannot create {}: {e}", out_dir.display()))?;
        let out = out_dir.join("out.wasm");
        let mut cmd = Command::new(linker);
        cmd.args(link_args(case, build.compiler, &one, &out));
        log.note(&cmd);
        run_captured_timeout(&mut cmd, LINK_TIMEOUT)
            .map_err(|e| format!("  {name} failed to link weld's relocatable output:\n  {e}"))?;
        let bytes =
            std::fs::read(&out).map_err(|e| format!("  cannot read {}: {e}", out.display()))?;
        validate(&bytes)
            .map_err(|e| format!("  {name}'s link of weld -r output does not validate: {e}"))?;
        let outcome = runner.run(&bytes, spec);
        let diff = outcome.diff(reference);
        if !diff.is_empty() {
            return Err(format!(
                "  weld -r, then {name}: behaves differently from the direct link\n{diff}  linked by: {}",
                show(&cmd)
            ));
        }
    }
    Ok(())
}

/// `<dir>/wasm-ld/out.wasm` and `<dir>/weld/out.wasm`: the same file name,
/// because wasm-ld records it in the name section, and identical names let
/// identical links produce identical bytes.
pub fn output_paths(dir: &Path) -> Result<(PathBuf, PathBuf), String> {
    let mut paths = Vec::new();
    for sub in ["wasm-ld", "weld"] {
        let d = dir.join(sub);
        std::fs::create_dir_all(&d).map_err(|e| format!("  cannot create {}: {e}", d.display()))?;
        paths.push(d.join("out.wasm"));
    }
    let weld = paths.pop().unwrap_or_default();
    let reference = paths.pop().unwrap_or_default();
    Ok((reference, weld))
}

/// Objects and archives of one build of a case.
pub struct Inputs {
    pub objects: Vec<PathBuf>,
    pub archives: Vec<PathBuf>,
}

/// Compiles the case's sources into `dir` and packs its archives.
/// With `use_cache`, unchanged objects come from [`objcache`].
pub fn build_inputs(
    case: &Case,
    compiler: Compiler,
    opt: &[&str],
    dir: &Path,
    log: &mut CommandLog,
    use_cache: bool,
) -> Result<Inputs, String> {
    let compile = |src: &Path,
                   obj: PathBuf,
                   cflags: &[String],
                   log: &mut CommandLog|
     -> Result<PathBuf, String> {
        let lang = Lang::of(src).unwrap_or(Lang::C);
        let threads = if case.threads {
            Some(toolchain::threads_sysroot().ok_or("the threaded sysroot is missing")?)
        } else {
            None
        };
        let target = match &threads {
            Some(sysroot) => toolchain::Target::Threads(sysroot),
            None if case.wasm64 => toolchain::Target::Wasm64,
            None => toolchain::Target::Wasi,
        };
        let mut cmd = toolchain::compile_cmd(compiler, lang, opt, cflags, (src, &obj), target);
        log.note(&cmd);
        let key = if use_cache {
            Some(objcache::key(&cmd, &case.dir)?)
        } else {
            None
        };
        if let Some(key) = &key
            && objcache::fetch(key, &obj)
        {
            return Ok(obj);
        }
        run_captured(&mut cmd).map_err(|e| format!("compiling {}: {e}", src.display()))?;
        if let Some(key) = &key {
            objcache::store(key, &obj);
        }
        Ok(obj)
    };
    let obj_in = |out_dir: &Path, src: &Path| {
        let file = src.file_name().unwrap_or_default().to_string_lossy();
        out_dir.join(format!("{file}.o"))
    };
    let pack = |lib: PathBuf, members: &[PathBuf], log: &mut CommandLog| {
        let mut ar = Command::new(toolchain::LLVM_AR);
        ar.arg("rcs").arg(&lib).args(members);
        log.note(&ar);
        run_captured(&mut ar).map_err(|e| format!("packing {}: {e}", lib.display()))?;
        Ok::<_, String>(lib)
    };
    let mkdir = |d: &Path| {
        std::fs::create_dir_all(d).map_err(|e| format!("cannot create {}: {e}", d.display()))
    };
    let mut objects = Vec::new();
    for src in &case.sources {
        objects.push(compile(src, obj_in(dir, src), &case.cflags, log)?);
    }
    let mut archives = Vec::new();
    for archive in &case.archives {
        let sub = dir.join(&archive.name);
        mkdir(&sub)?;
        let mut members = Vec::new();
        for src in &archive.sources {
            members.push(compile(src, obj_in(&sub, src), &case.cflags, log)?);
        }
        archives.push(pack(
            dir.join(format!("lib{}.a", archive.name)),
            &members,
            log,
        )?);
    }
    // Vendored library sources: their own flags, packed as lib<crate>.a.
    if let Some(v) = &case.vendor {
        let sub = dir.join(format!("vendor-{}", v.krate));
        mkdir(&sub)?;
        let mut members = Vec::new();
        for (src, obj) in &v.sources {
            members.push(compile(src, sub.join(obj), &v.cflags, log)?);
        }
        archives.push(pack(dir.join(format!("lib{}.a", v.krate)), &members, log)?);
    }
    Ok(Inputs { objects, archives })
}

/// The shared link line for both linkers.
pub fn link_args(case: &Case, compiler: Compiler, inputs: &Inputs, out: &Path) -> Vec<OsString> {
    let threads = case.threads.then(toolchain::threads_sysroot).flatten();
    toolchain::link_args(&LinkSpec {
        threads: threads.as_deref(),
        wasm64: case.wasm64,
        compiler,
        ldflags: &case.ldflags,
        reactor: case.reactor,
        objects: &inputs.objects,
        archives: &inputs.archives,
        libs: &case.libs,
        cxx: case.cxx,
        out,
    })
}

pub fn run_spec(case: &Case) -> Result<RunSpec, String> {
    let stdin = match &case.stdin {
        Some(p) => std::fs::read(p)
            .map_err(|e| format!("  case `{}`: cannot read {}: {e}", case.name, p.display()))?,
        None => Vec::new(),
    };
    Ok(RunSpec {
        argv0: case.name.clone(),
        args: case.args.clone(),
        env: case.env.clone(),
        stdin,
        preopens: case.preopens.clone(),
        entry: match &case.rust {
            Some(r) if r.crate_type == CrateType::Cdylib => Entry::Library,
            _ if case.wasm64 => Entry::Library,
            _ if case.reactor => Entry::Reactor,
            _ => Entry::Command,
        },
        calls: case.calls.clone(),
        timeout: case.timeout,
    })
}

/// Validates a linked module with every feature enabled: the point is to
/// catch malformed output, and the inputs may use any feature clang emits.
pub fn validate(bytes: &[u8]) -> Result<(), String> {
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(bytes)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Checks the reference run against the case's optional expectations
/// (`expect_exit`, `expect_trap`): a wrong reference outcome means the case
/// itself is broken, which would make the comparison moot. A timeout or a
/// module wasmtime rejects is always an error.
fn check_expectations(case: &Case, reference: &Outcome) -> Result<(), String> {
    let trapped = matches!(reference.end, End::Trap { .. });
    match (&reference.end, case.expect_trap) {
        (End::Timeout | End::Error(_), _) => return Err(reference.end.to_string()),
        (End::Trap { message, .. }, Some(false)) => {
            return Err(format!(
                "it trapped, but case.txt says `expect_trap = false`:\n{}{}",
                util::indent(message, "    "),
                output_tails(reference)
            ));
        }
        (_, Some(true)) if !trapped => {
            return Err(format!("expected a trap, got {}", reference.end_key()));
        }
        _ => {}
    }
    if let (End::Exit(code), Some(want)) = (&reference.end, case.expect_exit)
        && *code != want
    {
        return Err(format!(
            "exit code {code}, but case.txt says `expect_exit = {want}`{}",
            output_tails(reference)
        ));
    }
    if let (End::Trap { message, .. }, Some(want)) = (&reference.end, case.expect_exit) {
        return Err(format!(
            "it trapped, but case.txt says `expect_exit = {want}`:\n{}{}",
            util::indent(message, "    "),
            output_tails(reference)
        ));
    }
    Ok(())
}

/// The last lines of a run's stdout and stderr, for context.
fn output_tails(o: &Outcome) -> String {
    let mut s = String::new();
    for (label, bytes) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        let lines: Vec<&str> = text.lines().collect();
        if lines.is_empty() {
            continue;
        }
        let tail = &lines[lines.len().saturating_sub(10)..];
        s.push_str(&format!("\n  {label} (last {} lines):\n", tail.len()));
        s.push_str(&util::indent(&tail.join("\n"), "    "));
    }
    s
}

/// Leaves both runs' output in the work dir for inspection.
fn save_outcomes(dir: &Path, reference: &Outcome, ours: &Outcome) {
    for (name, o) in [("wasm-ld", reference), ("weld", ours)] {
        let _ = std::fs::write(dir.join(format!("{name}.stdout")), &o.stdout);
        let _ = std::fs::write(dir.join(format!("{name}.stderr")), &o.stderr);
        let mut end = o.end.to_string();
        for r in &o.results {
            end.push('\n');
            end.push_str(r);
        }
        let _ = std::fs::write(dir.join(format!("{name}.end")), end);
    }
}

/// Records the commands of a variant in `commands.txt` (written on drop), so
/// a failure can be reproduced by hand from its work dir.
pub struct CommandLog {
    path: PathBuf,
    text: String,
}

impl CommandLog {
    pub fn new(dir: &Path) -> CommandLog {
        CommandLog {
            path: dir.join("commands.txt"),
            text: String::new(),
        }
    }

    pub fn note(&mut self, cmd: &Command) {
        self.text.push_str(&show(cmd));
        self.text.push('\n');
    }

    /// A `# ...` line.
    pub fn comment(&mut self, text: &str) {
        for line in text.lines() {
            self.text.push_str("# ");
            self.text.push_str(line);
            self.text.push('\n');
        }
    }

    /// Writes the file now (before a step that may hang).
    pub fn flush(&self) {
        let _ = std::fs::write(&self.path, &self.text);
    }
}

impl Drop for CommandLog {
    fn drop(&mut self) {
        self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replays_rustc_link_line() {
        let recorded = split_nul(b"-flavor\0wasm\0a.o\0-o\0/w/weld/out.wasm\0--gc-sections\0");
        assert_eq!(recorded.len(), 6);
        let args = replay_args(
            &recorded,
            Path::new("/w/weld/out.wasm"),
            Path::new("/w/wasm-ld/out.wasm"),
        )
        .unwrap();
        assert_eq!(
            args,
            [
                "-flavor",
                "wasm",
                "a.o",
                "-o",
                "/w/wasm-ld/out.wasm",
                "--gc-sections"
            ]
        );
        assert!(split_nul(b"").is_empty());
        assert_eq!(split_nul(b"a\0\0"), ["a", ""]);
        let (weld, reference) = (Path::new("/w/weld/out.wasm"), Path::new("/r"));
        assert!(replay_args(&split_nul(b"-o\0/elsewhere\0"), weld, reference).is_err());
        assert!(replay_args(&split_nul(b"@/tmp/rsp\0"), weld, reference).is_err());
        assert!(replay_args(&split_nul(b"a.o\0-o\0"), weld, reference).is_err());
    }

    #[test]
    fn quotes_for_sh() {
        assert_eq!(sh_quote(Path::new("/a b/it's")), r"'/a b/it'\''s'");
    }
}
