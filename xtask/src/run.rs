//! Runs linked programs in wasmtime under WASI preview 1 and records what they
//! did, in a form two runs can be compared by.
//!
//! The environment is made deterministic (fixed args/env, a fake clock, a
//! fixed "random" byte cycle) so that any difference comes from the linker.

use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use wasmtime::{
    Caller, Config, Engine, ExternType, Linker, Module, OptLevel, SharedMemory, Store, Trap, Val,
};
use wasmtime_wasi::p1::{self, WasiP1Ctx};
use wasmtime_wasi::p2::pipe::{MemoryInputPipe, MemoryOutputPipe};
use wasmtime_wasi::{
    Deterministic, FsPerms, HostMonotonicClock, HostWallClock, I32Exit, WasiCtxBuilder,
};

/// How often the epoch ticks; timeouts are counted in these.
const TICK: Duration = Duration::from_millis(50);
/// Output beyond this traps the guest (both runs alike).
const PIPE_CAPACITY: usize = 64 << 20;

/// A shared engine plus the thread that drives epoch-based timeouts.
pub struct Runner {
    engine: Engine,
    stop: Arc<AtomicBool>,
}

impl Runner {
    pub fn new() -> Result<Runner, String> {
        let mut config = Config::new();
        // Test programs are short-lived: compile fast rather than run fast.
        config.cranelift_opt_level(OptLevel::None);
        config.epoch_interruption(true);
        // Threaded programs: shared memories and atomics (wasi-threads).
        config.wasm_threads(true);
        config.shared_memory(true);
        // wasm64: 64-bit memories and tables.
        config.wasm_memory64(true);
        let engine = Engine::new(&config).map_err(|e| format!("creating wasmtime engine: {e}"))?;
        let stop = Arc::new(AtomicBool::new(false));
        let (e, s) = (engine.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                std::thread::sleep(TICK);
                e.increment_epoch();
            }
        });
        Ok(Runner { engine, stop })
    }

    /// Compiles and runs one module; failures of the guest are part of the
    /// outcome, not errors.
    pub fn run(&self, wasm: &[u8], spec: &RunSpec) -> Outcome {
        let mut outcome = Outcome::default();
        let module = match Module::new(&self.engine, wasm) {
            Ok(m) => m,
            Err(e) => {
                outcome.end = End::Error(format!("wasmtime could not compile the module: {e:#}"));
                return outcome;
            }
        };
        let stdout = MemoryOutputPipe::new(PIPE_CAPACITY);
        let stderr = MemoryOutputPipe::new(PIPE_CAPACITY);
        let host = Arc::new(Host {
            engine: self.engine.clone(),
            module: module.clone(),
            memory: match shared_memory(&self.engine, &module) {
                Ok(m) => m,
                Err(e) => {
                    outcome.end = End::Error(e);
                    return outcome;
                }
            },
            spec: spec.clone(),
            stdout: stdout.clone(),
            stderr: stderr.clone(),
            next_tid: AtomicI32::new(1),
            thread_end: Mutex::new(None),
        });
        let (mut store, linker) = match host.store_and_linker() {
            Ok(x) => x,
            Err(e) => {
                outcome.end = End::Error(e);
                return outcome;
            }
        };
        outcome.end = match linker.instantiate(&mut store, &module) {
            Err(e) => End::Error(format!("instantiation failed: {e:#}")),
            Ok(instance) => {
                let init = match spec.entry {
                    Entry::Command => None,
                    Entry::Reactor => Some("_initialize"),
                    Entry::Library => instance
                        .get_func(&mut store, "_initialize")
                        .map(|_| "_initialize"),
                };
                let entries: Vec<&str> = match spec.entry {
                    Entry::Command => vec!["_start"],
                    Entry::Reactor | Entry::Library => init
                        .into_iter()
                        .chain(spec.calls.iter().map(String::as_str))
                        .collect(),
                };
                let mut end = End::Exit(0);
                for name in entries {
                    let Some(func) = instance.get_func(&mut store, name) else {
                        end = End::Error(format!("no exported function `{name}`"));
                        break;
                    };
                    let ty = func.ty(&store);
                    if ty.params().len() != 0 {
                        end = End::Error(format!("`{name}` takes parameters: {ty}"));
                        break;
                    }
                    let mut results = vec![Val::I32(0); ty.results().len()];
                    match func.call(&mut store, &[], &mut results) {
                        Ok(()) => {
                            if name != "_start" && name != "_initialize" {
                                let vals: Vec<String> = results.iter().map(show_val).collect();
                                outcome
                                    .results
                                    .push(format!("{name}() = {}", vals.join(", ")));
                            }
                        }
                        Err(e) => {
                            end = classify(e);
                            break;
                        }
                    }
                }
                // A thread that trapped or exited ends the whole program (wasi-threads); when
                // the main thread still finished, that is what the run did.
                match (end, host.thread_end.lock().unwrap().take()) {
                    (End::Exit(0), Some(thread)) => thread,
                    (end, _) => end,
                }
            }
        };
        drop(store);
        outcome.stdout = stdout.contents().to_vec();
        outcome.stderr = stderr.contents().to_vec();
        outcome
    }
}

/// What every thread of one run shares: the module, its shared memory (if it imports one), the
/// program's environment and output pipes. A wasi-threads host in a few lines: each
/// `thread-spawn` instantiates the module again, on a new OS thread, against the same memory,
/// and calls `wasi_thread_start(tid, arg)`.
struct Host {
    engine: Engine,
    module: Module,
    memory: Option<SharedMemory>,
    spec: RunSpec,
    stdout: MemoryOutputPipe,
    stderr: MemoryOutputPipe,
    next_tid: AtomicI32,
    /// How the first thread that did not return ended (a trap or `proc_exit`).
    thread_end: Mutex<Option<End>>,
}

impl Host {
    /// A store with this run's WASI context, and a linker with WASI, the shared memory and
    /// `wasi.thread-spawn`.
    fn store_and_linker(self: &Arc<Self>) -> Result<(Store<WasiP1Ctx>, Linker<WasiP1Ctx>), String> {
        let spec = &self.spec;
        let mut builder = WasiCtxBuilder::new();
        let mut argv = vec![spec.argv0.clone()];
        argv.extend(spec.args.iter().cloned());
        builder
            .args(&argv)
            .envs(&spec.env)
            .stdin(MemoryInputPipe::new(spec.stdin.clone()))
            .stdout(self.stdout.clone())
            .stderr(self.stderr.clone())
            .secure_random(Deterministic::new(vec![
                0x5e, 0xed, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
            ]))
            .insecure_random(Deterministic::new(vec![0x42, 0x17, 0x99, 0x3c]))
            .insecure_random_seed(0x5eed)
            .wall_clock(FakeWallClock)
            .monotonic_clock(FakeMonotonicClock::default());
        for (host, guest) in &spec.preopens {
            builder
                .preopened_dir(host, guest, FsPerms::ReadOnly)
                .map_err(|e| format!("preopening {}: {e:#}", host.display()))?;
        }
        let mut store = Store::new(&self.engine, builder.build_p1());
        store.set_epoch_deadline((spec.timeout.as_millis() / TICK.as_millis()).max(1) as u64);
        store.epoch_deadline_trap();
        let mut linker: Linker<WasiP1Ctx> = Linker::new(&self.engine);
        p1::add_to_linker_sync(&mut linker, |t| t)
            .map_err(|e| format!("adding WASI to the linker: {e:#}"))?;
        for import in self.module.imports() {
            if let (Some(memory), ExternType::Memory(_)) = (&self.memory, import.ty()) {
                linker
                    .define(&store, import.module(), import.name(), memory.clone())
                    .map_err(|e| format!("defining the shared memory: {e:#}"))?;
            }
        }
        let host = Arc::clone(self);
        linker
            .func_wrap(
                "wasi",
                "thread-spawn",
                move |_caller: Caller<'_, WasiP1Ctx>, arg: i32| -> i32 { host.spawn(arg) },
            )
            .map_err(|e| format!("defining wasi.thread-spawn: {e:#}"))?;
        Ok((store, linker))
    }

    /// `wasi.thread-spawn(arg)`: the new thread's id, or -1 when it cannot start (no shared
    /// memory to run it on).
    fn spawn(self: &Arc<Self>, arg: i32) -> i32 {
        if self.memory.is_none() {
            return -1;
        }
        let tid = self.next_tid.fetch_add(1, Ordering::Relaxed);
        let host = Arc::clone(self);
        std::thread::spawn(move || {
            let end = host.run_thread(tid, arg);
            if let Some(end) = end {
                host.thread_end.lock().unwrap().get_or_insert(end);
            }
        });
        tid
    }

    /// Runs `wasi_thread_start(tid, arg)` in a new instance; how it ended unless it returned.
    fn run_thread(self: &Arc<Self>, tid: i32, arg: i32) -> Option<End> {
        let (mut store, linker) = match self.store_and_linker() {
            Ok(x) => x,
            Err(e) => return Some(End::Error(e)),
        };
        let instance = match linker.instantiate(&mut store, &self.module) {
            Ok(i) => i,
            Err(e) => return Some(End::Error(format!("thread instantiation failed: {e:#}"))),
        };
        let start = match instance.get_typed_func::<(i32, i32), ()>(&mut store, "wasi_thread_start")
        {
            Ok(f) => f,
            Err(e) => return Some(End::Error(format!("no wasi_thread_start: {e:#}"))),
        };
        start.call(&mut store, (tid, arg)).err().map(classify)
    }
}

/// A shared memory for the memory the module imports, if that memory is shared.
fn shared_memory(engine: &Engine, module: &Module) -> Result<Option<SharedMemory>, String> {
    for import in module.imports() {
        if let ExternType::Memory(ty) = import.ty()
            && ty.is_shared()
        {
            return SharedMemory::new(engine, ty)
                .map(Some)
                .map_err(|e| format!("creating the shared memory: {e:#}"));
        }
    }
    Ok(None)
}

/// `cargo xtask run FILE.wasm [ARGS]`: runs a command as the differential suite does and prints
/// its output and how it ended.
pub fn run_file(args: &[String]) -> Result<(), String> {
    let [file, rest @ ..] = args else {
        return Err("usage: cargo xtask run FILE.wasm [ARGS | --call F...]".into());
    };
    let (rest, calls) = match rest.split_first() {
        Some((flag, calls)) if flag == "--call" => (&[][..], calls.to_vec()),
        _ => (rest, Vec::new()),
    };
    let wasm = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    let spec = RunSpec {
        argv0: file.clone(),
        args: rest.to_vec(),
        env: Vec::new(),
        stdin: Vec::new(),
        preopens: Vec::new(),
        entry: if calls.is_empty() {
            Entry::Command
        } else {
            Entry::Library
        },
        calls,
        timeout: Duration::from_secs(60),
    };
    let outcome = Runner::new()?.run(&wasm, &spec);
    use std::io::Write as _;
    let _ = std::io::stdout().write_all(&outcome.stdout);
    let _ = std::io::stderr().write_all(&outcome.stderr);
    for r in &outcome.results {
        println!("{r}");
    }
    eprintln!("xtask run: {}", outcome.end);
    Ok(())
}

impl Drop for Runner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// How a call ended: `proc_exit`, a trap, or a host-side error.
fn classify(e: wasmtime::Error) -> End {
    if let Some(exit) = e.downcast_ref::<I32Exit>() {
        return End::Exit(exit.0);
    }
    let message = format!("{e:?}");
    match e.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => End::Timeout,
        Some(trap) => End::Trap {
            code: trap.to_string(),
            message,
        },
        None => End::Trap {
            code: format!("host error: {e}"),
            message,
        },
    }
}

fn show_val(v: &Val) -> String {
    match v {
        Val::I32(x) => format!("i32:{x}"),
        Val::I64(x) => format!("i64:{x}"),
        Val::F32(x) => format!("f32:{}", f32::from_bits(*x)),
        Val::F64(x) => format!("f64:{}", f64::from_bits(*x)),
        other => format!("{other:?}"),
    }
}

/// Everything the program sees of the outside world.
#[derive(Debug, Clone)]
pub struct RunSpec {
    pub argv0: String,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub stdin: Vec<u8>,
    pub preopens: Vec<(PathBuf, String)>,
    pub entry: Entry,
    /// Exports to call after initialisation (reactors and libraries).
    pub calls: Vec<String>,
    pub timeout: Duration,
}

/// How a module is started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// A command: `_start`.
    Command,
    /// A WASI reactor: `_initialize`, which must be exported, then the calls.
    Reactor,
    /// A library without an entry point (e.g. a Rust cdylib, which may not
    /// import WASI at all): `_initialize` only if exported, then the calls.
    Library,
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// Reactor call results, `name() = i32:7`.
    pub results: Vec<String>,
    pub end: End,
}

#[derive(Debug, Clone)]
pub enum End {
    Exit(i32),
    /// `code` is wasmtime's trap kind; `message` (with backtrace) is shown
    /// but not compared, since function indices legitimately differ.
    Trap {
        code: String,
        message: String,
    },
    Timeout,
    /// Compile/instantiate failures and missing exports.
    Error(String),
}

impl Default for End {
    fn default() -> End {
        End::Exit(0)
    }
}

impl End {
    /// The part of the ending that must agree between the two linkers.
    fn key(&self) -> String {
        match self {
            End::Exit(c) => format!("exit {c}"),
            End::Trap { code, .. } => format!("trap: {code}"),
            End::Timeout => "timeout".into(),
            End::Error(m) => format!("error: {m}"),
        }
    }
}

impl fmt::Display for End {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            End::Trap { message, .. } => write!(f, "trap: {message}"),
            other => f.write_str(&other.key()),
        }
    }
}

impl Outcome {
    /// Describes every difference from `reference`; empty if they agree.
    pub fn diff(&self, reference: &Outcome) -> String {
        let mut out = String::new();
        if self.end.key() != reference.end.key() {
            out.push_str(&format!(
                "  ending differs:\n    wasm-ld: {}\n    weld:    {}\n",
                oneline(&reference.end.to_string()),
                oneline(&self.end.to_string())
            ));
        }
        for (label, r, w) in [
            ("stdout", &reference.stdout, &self.stdout),
            ("stderr", &reference.stderr, &self.stderr),
        ] {
            if r != w {
                out.push_str(&format!("  {label} differs (- wasm-ld, + weld):\n"));
                out.push_str(&line_diff(
                    &String::from_utf8_lossy(r),
                    &String::from_utf8_lossy(w),
                ));
            }
        }
        if self.results != reference.results {
            out.push_str("  call results differ (- wasm-ld, + weld):\n");
            out.push_str(&line_diff(
                &reference.results.join("\n"),
                &self.results.join("\n"),
            ));
        }
        out
    }

    pub fn end_key(&self) -> String {
        self.end.key()
    }
}

fn oneline(s: &str) -> String {
    let mut lines = s.lines();
    let first = lines.next().unwrap_or("").to_string();
    let rest = lines.count();
    if rest > 0 {
        // Keep the backtrace short; the full text is in the work dir on failure.
        let more: Vec<&str> = s.lines().skip(1).take(8).collect();
        format!("{first}\n      {}", more.join("\n      "))
    } else {
        first
    }
}

/// A compact diff: common prefix and suffix lines are elided, the differing
/// middle is shown as -/+ lines (capped), with a line of context either side.
pub fn line_diff(a: &str, b: &str) -> String {
    const CAP: usize = 30;
    let a: Vec<&str> = a.split_inclusive('\n').collect();
    let b: Vec<&str> = b.split_inclusive('\n').collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let mut out = String::new();
    let show = |s: &str| {
        let t = s.strip_suffix('\n').unwrap_or(s);
        if s.ends_with('\n') {
            t.escape_debug().to_string()
        } else {
            format!("{} [no newline at end]", t.escape_debug())
        }
    };
    if prefix > 0 {
        out.push_str(&format!("     @ line {}\n", prefix + 1));
        out.push_str(&format!("      {}\n", show(a[prefix - 1])));
    }
    for (sign, lines) in [
        ('-', &a[prefix..a.len() - suffix]),
        ('+', &b[prefix..b.len() - suffix]),
    ] {
        for l in lines.iter().take(CAP) {
            out.push_str(&format!("    {sign} {}\n", show(l)));
        }
        if lines.len() > CAP {
            out.push_str(&format!(
                "    {sign} ... {} more lines\n",
                lines.len() - CAP
            ));
        }
    }
    if suffix > 0 {
        out.push_str(&format!("      {}\n", show(a[a.len() - suffix])));
    }
    out
}

/// Wall clock frozen at 2024-01-01T00:00:00Z.
struct FakeWallClock;

impl HostWallClock for FakeWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_nanos(1)
    }
    fn now(&self) -> Duration {
        Duration::from_secs(1_704_067_200)
    }
}

/// Monotonic clock that advances 1 µs per reading, so timing loops terminate
/// but every run sees the same values.
#[derive(Default)]
struct FakeMonotonicClock {
    now: std::sync::atomic::AtomicU64,
}

impl HostMonotonicClock for FakeMonotonicClock {
    fn resolution(&self) -> u64 {
        1
    }
    fn now(&self) -> u64 {
        self.now.fetch_add(1_000, Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::line_diff;

    #[test]
    fn diff_shows_middle() {
        let d = line_diff("a\nb\nc\n", "a\nx\nc\n");
        assert!(d.contains("- b") && d.contains("+ x"), "{d}");
        let d = line_diff("a\n", "a");
        assert!(d.contains("no newline"), "{d}");
    }
}
