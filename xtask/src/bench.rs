//! `cargo xtask bench`: link time and peak memory of weld relative to wasm-ld,
//! on every differential case (clang-22, -O2) and optionally on the synthetic
//! large input.

use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::cases;
use crate::differential::{self, CommandLog};
use crate::toolchain::{self, Compiler};
use crate::util::{self, cargo, parse_opts, run_captured, run_inherited, show};

/// One linker's measurements on one input.
struct Sample {
    median: Duration,
    /// Peak resident set size, in KiB, the largest over the runs.
    max_rss_kib: u64,
}

pub fn run(args: &[String]) -> Result<(), String> {
    let opts = parse_opts(args, &["--filter", "--runs", "--large"])?;
    let runs = opts.runs.unwrap_or(10).max(1);
    if !toolchain::weld_overridden() {
        let mut build = cargo();
        build.args(["build", "--release", "-p", "weld"]);
        println!("bench: {}", show(&build));
        run_inherited(&mut build)?;
    }
    let weld = toolchain::weld_path();
    let root = util::repo_root();
    let mut cases = Vec::new();
    for case in cases::discover(&root, opts.filter.as_deref())? {
        match case {
            Ok(c) => cases.push(c),
            Err(e) => println!("bench: skipping: {e}"),
        }
    }
    let bench_dir = root.join("target/bench");
    println!(
        "bench: {runs} links per linker and input; time = median wall clock, rss = peak\n\
         {:<28} {:>10} {:>10} {:>7} {:>9} {:>9} {:>7}",
        "input", "wasm-ld", "weld", "ratio", "rss ld", "rss weld", "ratio"
    );
    let mut time_ratios = Vec::new();
    let mut rss_ratios = Vec::new();
    let mut report =
        |name: &str, args: &dyn Fn(&Path) -> Vec<OsString>, dir: &Path| match bench_pair(
            &weld, args, dir, runs,
        ) {
            Ok((r, w)) => {
                let tr = w.median.as_secs_f64() / r.median.as_secs_f64().max(1e-9);
                let mr = w.max_rss_kib as f64 / r.max_rss_kib.max(1) as f64;
                time_ratios.push(tr);
                rss_ratios.push(mr);
                println!(
                    "{name:<28} {:>8.1}ms {:>8.1}ms {tr:>6.2}x {:>7.1}MB {:>7.1}MB {mr:>6.2}x",
                    r.median.as_secs_f64() * 1e3,
                    w.median.as_secs_f64() * 1e3,
                    r.max_rss_kib as f64 / 1024.0,
                    w.max_rss_kib as f64 / 1024.0,
                );
            }
            Err(e) => println!("{name:<28} error: {e}"),
        };
    for case in cases
        .iter()
        .filter(|c| c.compilers.contains(&Compiler::Clang22))
    {
        let dir = bench_dir.join(&case.name);
        let _ = std::fs::remove_dir_all(&dir);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            println!(
                "{:<28} error: cannot create {}: {e}",
                case.name,
                dir.display()
            );
            continue;
        }
        let mut log = CommandLog::new(&dir);
        let inputs = match differential::build_inputs(
            case,
            Compiler::Clang22,
            &["-O2"],
            &dir,
            &mut log,
            true,
        ) {
            Ok(i) => i,
            Err(e) => {
                println!("{:<28} error: {e}", case.name);
                continue;
            }
        };
        drop(log);
        let args = |out: &Path| differential::link_args(case, Compiler::Clang22, &inputs, out);
        report(&case.name, &args, &dir);
    }
    if opts.large {
        let large = crate::synth::ensure_large()?;
        let dir = bench_dir.join("synthetic-large");
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let args = |out: &Path| crate::synth::link_args(&large, out);
        report("synthetic-large", &args, &dir);
    }
    if !time_ratios.is_empty() {
        println!(
            "bench: geometric mean weld/wasm-ld over {} inputs: time {:.2}x, peak rss {:.2}x",
            time_ratios.len(),
            geomean(&time_ratios),
            geomean(&rss_ratios)
        );
    }
    Ok(())
}

/// Links `runs` times with each linker, alternating so drift hits both alike.
fn bench_pair(
    weld: &Path,
    args: &dyn Fn(&Path) -> Vec<OsString>,
    dir: &Path,
    runs: usize,
) -> Result<(Sample, Sample), String> {
    let linkers = [Path::new(toolchain::WASM_LD), weld];
    let (ref_out, weld_out) = differential::output_paths(dir)?;
    let mut times = [Vec::new(), Vec::new()];
    let mut rss = [0u64, 0u64];
    for _ in 0..runs {
        for (k, linker) in linkers.iter().enumerate() {
            let out = if k == 0 { &ref_out } else { &weld_out };
            let mut cmd = Command::new(linker);
            cmd.args(args(out));
            let (t, kib) = measure(&mut cmd)?;
            times[k].push(t);
            rss[k] = rss[k].max(kib);
        }
    }
    let sample = |k: usize| {
        let mut t = times[k].clone();
        t.sort();
        Sample {
            median: t[t.len() / 2],
            max_rss_kib: rss[k],
        }
    };
    Ok((sample(0), sample(1)))
}

/// Runs a command, returning its wall time and peak RSS (KiB) from `wait4`,
/// which reports the usage of exactly that child.
fn measure(cmd: &mut Command) -> Result<(Duration, u64), String> {
    let start = Instant::now();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not run `{}`: {e}", show(cmd)))?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to overwrite.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own unreaped child; both pointers are valid for the call.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let elapsed = start.elapsed();
    // The child is reaped; dropping the handle does not wait again.
    drop(child);
    if r != pid {
        return Err(format!(
            "wait4 failed for `{}`: {}",
            show(cmd),
            std::io::Error::last_os_error()
        ));
    }
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        // Rerun with output captured to show why.
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        return Err(match run_captured(cmd) {
            Err(e) => e,
            Ok(_) => format!(
                "`{}` failed once (status {status}) but not on rerun",
                show(cmd)
            ),
        });
    }
    Ok((elapsed, usage.ru_maxrss as u64))
}

fn geomean(v: &[f64]) -> f64 {
    (v.iter().map(|x| x.ln()).sum::<f64>() / v.len() as f64).exp()
}
