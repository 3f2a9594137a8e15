//! Linking a program with weld (in-process) and wasm-ld-22, validating, running and checking
//! the outputs against the [`Oracle`].

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use wasmparser::{
    ExternalKind, KnownCustom, Name, Operator, Parser, Payload, TypeRef, Validator, WasmFeatures,
};
use wasmtime::{
    Engine, Extern, Global, GlobalType, Instance, Linker, Module, Mutability, Store, Val,
};

use crate::encode::{ARCHIVE_NAME, encode};
use crate::loader;
use crate::model::*;
use crate::oracle::{Expect, FieldValue, Oracle, Outcome, ThrowExpect, host_value};

/// The reference linker.
pub const WASM_LD: &str = "wasm-ld-22";

/// What [`Runner::check`] does besides linking with weld and checking against the oracle.
#[derive(Debug, Clone, Copy)]
pub struct CheckOptions {
    /// Also link with wasm-ld-22 (when installed) and compare.
    pub wasm_ld: bool,
    /// Link again, with 1 and 4 threads, and require byte-identical output.
    pub determinism: bool,
    /// Link with the command-line objects in reverse order and check that too.
    pub permute: bool,
    /// Metamorphic check of `weld -r`: combine the first half of the command-line objects
    /// with `weld -r`, link that object with the rest (by weld, and by wasm-ld-22 when
    /// `wasm_ld`), and require what the one-step link gave.
    pub relocatable: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            wasm_ld: true,
            determinism: true,
            permute: true,
            relocatable: true,
        }
    }
}

/// Which check failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// weld rejected a valid program.
    WeldError,
    /// weld panicked.
    WeldPanic,
    /// weld's output does not validate (or wasmtime rejects it).
    Invalid,
    /// weld's output does not behave as the oracle predicts.
    Mismatch,
    /// wasm-ld-22 disagrees: it failed where weld succeeded, or its output differs from the
    /// oracle (an oracle bug, or a wasm-ld bug).
    WasmLd,
    /// Linking twice, or with another thread count, gave different bytes.
    Nondeterministic,
    /// Reordering the command-line objects changed the results.
    Permutation,
    /// `weld -r` of some objects, then the final link, differs from the one-step link.
    Relocatable,
    /// The harness itself failed (temporary files, …).
    Harness,
}

/// A failed check, with a description.
#[derive(Debug, Clone)]
pub struct Failure {
    /// What failed.
    pub kind: FailureKind,
    /// Details: the link arguments, expected and actual values.
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)
    }
}

impl std::error::Error for Failure {}

fn fail(kind: FailureKind, message: impl Into<String>) -> Failure {
    Failure {
        kind,
        message: message.into(),
    }
}

/// What a successful check observed.
#[derive(Debug, Clone)]
pub struct Report {
    /// Each check function's outcome (equal to the oracle's).
    pub checks: Vec<(String, Outcome)>,
    /// Whether wasm-ld-22 was run and agreed.
    pub compared_with_wasm_ld: bool,
    /// The oracle's predictions.
    pub oracle: Oracle,
}

/// Links, runs and checks programs; holds one wasmtime engine for all of them.
pub struct Runner {
    engine: Engine,
    wasm_ld: Option<PathBuf>,
}

impl Default for Runner {
    fn default() -> Self {
        Self::new()
    }
}

/// The environment variable that names the reference linker's executable, overriding the
/// search of [`wasm_ld_path`].
pub const WASM_LD_ENV: &str = "WELD_WASM_LD";

/// The directory, next to a fuzz target's executable, that holds a bundled wasm-ld-22 (its
/// binary, libraries and dynamic loader, with a `wasm-ld` wrapper script): fuzzing services
/// run targets in an image that has only the build's output directory
/// (`.clusterfuzzlite/build.sh` makes the bundle).
pub const WASM_LD_BUNDLE: &str = "wasm-ld-22";

/// The wasm-ld-22 to run, if one can be run: `$WELD_WASM_LD`, else a bundle next to the
/// running executable ([`WASM_LD_BUNDLE`]`/wasm-ld`), else `wasm-ld-22` on the `PATH`.
pub fn wasm_ld_path() -> Option<PathBuf> {
    static FOUND: OnceLock<Option<PathBuf>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            let runs = |p: &Path| {
                Command::new(p)
                    .arg("--version")
                    .output()
                    .is_ok_and(|o| o.status.success())
            };
            if let Some(p) = std::env::var_os(WASM_LD_ENV) {
                // Named explicitly: no fallback, so a wrong name is not silently replaced.
                let p = PathBuf::from(p);
                return runs(&p).then_some(p);
            }
            let bundled = std::env::current_exe()
                .ok()
                .and_then(|exe| Some(exe.parent()?.join(WASM_LD_BUNDLE).join("wasm-ld")));
            bundled
                .into_iter()
                .chain([PathBuf::from(WASM_LD)])
                .find(|p| runs(p))
        })
        .clone()
}

/// Whether wasm-ld-22 can be run ([`wasm_ld_path`]).
pub fn wasm_ld_available() -> bool {
    wasm_ld_path().is_some()
}

/// Checks a program with a shared [`Runner`] (for fuzz targets and tests).
pub fn check_program(p: &Program, opts: &CheckOptions) -> Result<Report, Failure> {
    static RUNNER: OnceLock<Runner> = OnceLock::new();
    RUNNER.get_or_init(Runner::new).check(p, opts)
}

/// The wasm-ld command line for `p` (inputs in `dir`), without `-o`.
pub fn link_args(p: &Program, dir: &Path, tags: bool) -> Vec<String> {
    let mut args = vec![
        "--no-entry".to_string(),
        "--export=__wasm_call_ctors".to_string(),
    ];
    if p.wasm64 {
        args.extend(["-m".to_string(), "wasm64".to_string()]);
    }
    if p.export_dynamic {
        args.push("--export-dynamic".into());
    }
    if p.shared_memory {
        args.push("--shared-memory".into());
    }
    for &s in &p.cli_exports {
        args.push(format!("--export={}", p.name(s)));
    }
    if tags {
        for (f, _) in p.throwers() {
            args.push(format!("--export={}", p.funcs[f.idx()].name));
        }
        for t in &p.tags {
            args.push(format!("--export-if-defined={}", t.name));
        }
    }
    for o in p.objects.iter().filter(|o| !o.in_archive) {
        args.push(dir.join(&o.file).display().to_string());
    }
    if p.objects.iter().any(|o| o.in_archive) {
        args.push(dir.join(ARCHIVE_NAME).display().to_string());
    }
    args
}

/// Everything the checks need from an output module.
#[derive(Debug, Default)]
struct OutInfo {
    exports: HashMap<String, (ExternalKind, u32)>,
    func_names: HashMap<String, u32>,
    global_names: HashMap<String, u32>,
    n_func_imports: u32,
    n_global_imports: u32,
    /// Offset of each defined function's body (after its size) from the code payload start.
    body_offsets: Vec<u32>,
    /// Each defined function's first `throw` tag, if any.
    throws: Vec<Option<u32>>,
    customs: HashMap<String, Vec<u8>>,
    /// Passive segments (shared memory), placed at the end of parsing by `passive_at`.
    passive: Vec<Vec<u8>>,
    /// (segment, address) of each `memory.init`.
    passive_at: Vec<(u32, u32)>,
    data: Vec<(u32, Vec<u8>)>,
    global_inits: Vec<Option<i64>>,
}

impl OutInfo {
    fn parse(bytes: &[u8]) -> Result<OutInfo, String> {
        let mut info = OutInfo::default();
        let mut code_start = 0usize;
        for payload in Parser::new(0).parse_all(bytes) {
            let payload = payload.map_err(|e| e.to_string())?;
            match payload {
                Payload::ImportSection(r) => {
                    for imp in r.into_imports() {
                        match imp.map_err(|e| e.to_string())?.ty {
                            TypeRef::Func(_) | TypeRef::FuncExact(_) => info.n_func_imports += 1,
                            TypeRef::Global(_) => info.n_global_imports += 1,
                            _ => {}
                        }
                    }
                }
                Payload::ExportSection(r) => {
                    for e in r {
                        let e = e.map_err(|e| e.to_string())?;
                        info.exports.insert(e.name.to_string(), (e.kind, e.index));
                    }
                }
                Payload::GlobalSection(r) => {
                    for g in r {
                        let g = g.map_err(|e| e.to_string())?;
                        let mut ops = g.init_expr.get_operators_reader();
                        let v = match ops.read().map_err(|e| e.to_string())? {
                            Operator::I32Const { value } => Some(value as i64),
                            Operator::I64Const { value } => Some(value),
                            _ => None,
                        };
                        info.global_inits.push(v);
                    }
                }
                Payload::CodeSectionStart { range, .. } => code_start = range.start,
                Payload::CodeSectionEntry(body) => {
                    info.body_offsets
                        .push((body.range().start - code_start) as u32);
                    let mut throw = None;
                    // A passive segment's address is the third `i32.const` before its
                    // `memory.init` in `__wasm_init_memory` (address, offset 0, size; `.tdata`
                    // repeats the address for `global.set __tls_base` first).
                    let mut consts: Vec<i64> = Vec::new();
                    let mut ops = body.get_operators_reader().map_err(|e| e.to_string())?;
                    while !ops.eof() {
                        match ops.read().map_err(|e| e.to_string())? {
                            Operator::Throw { tag_index } => {
                                throw.get_or_insert(tag_index);
                            }
                            Operator::I32Const { value } => consts.push(value as i64),
                            Operator::I64Const { value } => consts.push(value),
                            Operator::MemoryInit { data_index, .. } if consts.len() >= 3 => {
                                info.passive_at
                                    .push((data_index, consts[consts.len() - 3] as u32));
                            }
                            _ => {}
                        }
                    }
                    info.throws.push(throw);
                }
                Payload::DataSection(r) => {
                    for d in r {
                        let d = d.map_err(|e| e.to_string())?;
                        match d.kind {
                            wasmparser::DataKind::Active { offset_expr, .. } => {
                                let mut ops = offset_expr.get_operators_reader();
                                match ops.read().map_err(|e| e.to_string())? {
                                    Operator::I32Const { value } => {
                                        info.data.push((value as u32, d.data.to_vec()))
                                    }
                                    Operator::I64Const { value } => {
                                        info.data.push((value as u32, d.data.to_vec()))
                                    }
                                    _ => {}
                                }
                            }
                            wasmparser::DataKind::Passive => info.passive.push(d.data.to_vec()),
                        }
                    }
                }
                Payload::CustomSection(c) => {
                    if let KnownCustom::Name(names) = c.as_known() {
                        for n in names {
                            let (map, target) = match n.map_err(|e| e.to_string())? {
                                Name::Function(m) => (m, &mut info.func_names),
                                Name::Global(m) => (m, &mut info.global_names),
                                _ => continue,
                            };
                            for naming in map {
                                let naming = naming.map_err(|e| e.to_string())?;
                                target.insert(naming.name.to_string(), naming.index);
                            }
                        }
                    } else {
                        info.customs.insert(c.name().to_string(), c.data().to_vec());
                    }
                }
                _ => {}
            }
        }
        for &(seg, addr) in &info.passive_at {
            if let Some(bytes) = info.passive.get(seg as usize) {
                info.data.push((addr, bytes.clone()));
            }
        }
        Ok(info)
    }

    /// Reads memory as the data section initialises it (zero elsewhere).
    fn memory(&self, addr: u32, len: usize) -> Vec<u8> {
        (0..len as u32)
            .map(|i| {
                let a = addr.wrapping_add(i);
                self.data
                    .iter()
                    .find(|(s, d)| a >= *s && ((a - s) as usize) < d.len())
                    .map(|(s, d)| d[(a - s) as usize])
                    .unwrap_or(0)
            })
            .collect()
    }

    fn contains_marker(&self, m: &[u8; 8]) -> bool {
        self.data.iter().any(|(_, d)| d.windows(8).any(|w| w == m))
    }

    fn check_value(&self, got: u64, want: &FieldValue) -> Result<(), String> {
        let ok = match want {
            FieldValue::Exact(v) => got == *v,
            FieldValue::FuncBody { name, addend } => {
                let idx = self
                    .func_names
                    .get(name)
                    .ok_or(format!("no function {name}"))?;
                let body = idx
                    .checked_sub(self.n_func_imports)
                    .and_then(|i| self.body_offsets.get(i as usize))
                    .ok_or(format!("{name} has no body"))?;
                got == (*body + addend) as u64
            }
            FieldValue::FuncIndex(name) => {
                self.func_names.get(name).map(|&i| i as u64) == Some(got)
            }
            FieldValue::GlobalIndex(name) => {
                self.global_names.get(name).map(|&i| i as u64) == Some(got)
            }
            FieldValue::DataAt(bytes) => got != 0 && self.memory(got as u32, bytes.len()) == *bytes,
        };
        if ok {
            Ok(())
        } else {
            Err(format!("expected {want:?}, got {got:#x}"))
        }
    }
}

/// Validates a linked module with every feature the generated objects may use.
pub fn validate(bytes: &[u8]) -> Result<(), String> {
    let features =
        WasmFeatures::default() | WasmFeatures::EXCEPTIONS | WasmFeatures::REFERENCE_TYPES;
    Validator::new_with_features(features)
        .validate_all(bytes)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

impl Runner {
    /// A runner with its own wasmtime engine; wasm-ld-22 is used if it can be run.
    pub fn new() -> Runner {
        Runner {
            engine: {
                // Shared-memory links: a shared memory, atomics and passive segments.
                let mut config = wasmtime::Config::new();
                config.wasm_threads(true);
                config.shared_memory(true);
                config.wasm_memory64(true);
                Engine::new(&config).expect("a wasmtime engine")
            },
            wasm_ld: wasm_ld_path(),
        }
    }

    /// Links `args` with weld in-process (`-o` is needed by the parser but nothing is written).
    pub fn weld(&self, args: &[String], threads: usize) -> Result<Vec<u8>, Failure> {
        self.weld_as(args, threads, "/dev/null")
    }

    /// As [`Runner::weld`], naming the output `output` (the `name` section's module name
    /// comes from it).
    pub fn weld_as(
        &self,
        args: &[String],
        threads: usize,
        output: &str,
    ) -> Result<Vec<u8>, Failure> {
        let mut args = args.to_vec();
        args.extend(["-o".to_string(), output.to_string()]);
        let config = match weld::cli::parse(&args) {
            Ok(weld::cli::Command::Link(c)) => c,
            Ok(_) => return Err(fail(FailureKind::Harness, "weld: not a link command")),
            Err(e) => {
                return Err(fail(
                    FailureKind::WeldError,
                    format!("weld rejected {args:?}: {e}"),
                ));
            }
        };
        let mut config = *config;
        config.threads = Some(threads);
        match catch_unwind(AssertUnwindSafe(|| weld::link_to_bytes(&config))) {
            Ok(Ok((bytes, _))) => Ok(bytes),
            Ok(Err(e)) => Err(fail(
                FailureKind::WeldError,
                format!(
                    "weld failed on a valid program: {e}\nargs: {}",
                    args.join(" ")
                ),
            )),
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                Err(fail(
                    FailureKind::WeldPanic,
                    format!("weld panicked: {msg}\nargs: {}", args.join(" ")),
                ))
            }
        }
    }

    /// Links `args` with wasm-ld-22 into `out`; `Err(stderr)` if it fails.
    pub fn wasm_ld(&self, args: &[String], out: &Path) -> Result<Vec<u8>, String> {
        let ld = self.wasm_ld.as_ref().ok_or("wasm-ld-22 is not installed")?;
        let o = Command::new(ld)
            .args(args)
            .arg("-o")
            .arg(out)
            .output()
            .map_err(|e| e.to_string())?;
        if !o.status.success() {
            return Err(String::from_utf8_lossy(&o.stderr).into_owned());
        }
        std::fs::read(out).map_err(|e| e.to_string())
    }

    /// Runs the module: constructors, then each check function.
    fn execute(&self, bytes: &[u8], p: &Program) -> Result<Vec<(String, Outcome)>, String> {
        let module = Module::new(&self.engine, bytes).map_err(|e| format!("wasmtime: {e:#}"))?;
        let mut store = Store::new(&self.engine, ());
        let mut linker: Linker<()> = Linker::new(&self.engine);
        for imp in module.imports() {
            if !define_host(&mut linker, &mut store, p, &imp)? {
                return Err(format!("unexpected import {}.{}", imp.module(), imp.name()));
            }
        }
        let instance: Instance = linker
            .instantiate(&mut store, &module)
            .map_err(|e| format!("instantiation: {e:#}"))?;
        run_checks(&mut store, &instance, p)
    }

    /// Runs position-independent modules (`modules` by file name, the `-pie` main module
    /// first, then the libraries it names) under the [`loader`](crate::loader): a 64 KiB stack
    /// at the bottom of a memory the loader makes, as the static layout has it, each module's
    /// data above it and its table slots from 1; the host's functions and globals as the
    /// static link sees them (a host function the static link does not import is missing:
    /// its `GOT.func` entry reads 0 and a call traps); then each check function.
    fn execute_dynamic(
        &self,
        modules: &[(&str, &[u8])],
        p: &Program,
        or: &Oracle,
    ) -> Result<Vec<(String, Outcome)>, String> {
        let mut store = Store::new(&self.engine, ());
        let host = host_imports(&mut store, p, or)?;
        // A `dylink.0` needed entry is the path the main module's link was given.
        let read = |name: &str| {
            let file = Path::new(name).file_name().unwrap_or_default();
            modules
                .iter()
                .find(|(n, _)| Path::new(n).file_name() == Some(file))
                .map(|(_, b)| b.to_vec())
                .ok_or_else(|| format!("no module {name}"))
        };
        let main = modules.first().ok_or("no main module")?.0;
        let loaded = loader::load(&mut store, main, &read, host)?;
        call_checks(&mut store, p, |store, name| {
            loader::find_func(store, &loaded, name)
        })
    }
}

/// The host's functions and globals for the [`loader`](crate::loader): a host function the
/// static link imports returns its value (and gets a table slot for `GOT.func`); one it does
/// not import (only weak references name it) traps when called, and its `GOT.func` entry reads
/// 0.
fn host_imports(
    store: &mut Store<()>,
    p: &Program,
    or: &Oracle,
) -> Result<loader::HostImports, String> {
    let mut host = loader::HostImports::default();
    for (i, f) in p.funcs.iter().enumerate() {
        let FuncRole::Host { module, field } = f.role else {
            continue;
        };
        let func = if or.imported.contains(&Sym::Func(FuncId(i as u32))) {
            let v = host_value(field);
            let func = wasmtime::Func::wrap(&mut *store, move || -> i64 { v });
            host.functions.push((f.name.clone(), func));
            func
        } else {
            host.null_if_undefined.insert(f.name.clone());
            let name = format!("{module}.{field}");
            wasmtime::Func::wrap(&mut *store, move || -> wasmtime::Result<i64> {
                Err(wasmtime::Error::msg(format!("{name} is not defined")))
            })
        };
        host.externs
            .insert((module.to_string(), field.to_string()), func.into());
    }
    for g in &p.globals {
        if let Some((module, field, v)) = g.host {
            let global = Global::new(
                &mut *store,
                GlobalType::new(wasmtime::ValType::I64, Mutability::Const),
                Val::I64(v),
            )
            .map_err(|e| e.to_string())?;
            host.externs
                .insert((module.to_string(), field.to_string()), global.into());
        }
    }
    Ok(host)
}

/// Defines `imp` in `linker` if it is one of the host's functions or globals; returns whether
/// it was.
fn define_host(
    linker: &mut Linker<()>,
    store: &mut Store<()>,
    p: &Program,
    imp: &wasmtime::ImportType<'_>,
) -> Result<bool, String> {
    let host_fn = p.funcs.iter().find_map(|f| match f.role {
        FuncRole::Host { module, field } if module == imp.module() && field == imp.name() => {
            Some(field)
        }
        _ => None,
    });
    let host_global = p.globals.iter().find_map(|g| match g.host {
        Some((m, f, v)) if m == imp.module() && f == imp.name() => Some(v),
        _ => None,
    });
    if let Some(field) = host_fn {
        let v = host_value(field);
        linker
            .func_wrap(imp.module(), imp.name(), move || -> i64 { v })
            .map_err(|e| e.to_string())?;
    } else if let Some(v) = host_global {
        let g = Global::new(
            &mut *store,
            GlobalType::new(wasmtime::ValType::I64, Mutability::Const),
            Val::I64(v),
        )
        .map_err(|e| e.to_string())?;
        linker
            .define(&*store, imp.module(), imp.name(), Extern::Global(g))
            .map_err(|e| e.to_string())?;
    } else {
        return Ok(false);
    }
    Ok(true)
}

/// Runs the constructors, then each check function of `p`.
fn run_checks(
    store: &mut Store<()>,
    instance: &Instance,
    p: &Program,
) -> Result<Vec<(String, Outcome)>, String> {
    let ctors = instance
        .get_typed_func::<(), ()>(&mut *store, "__wasm_call_ctors")
        .map_err(|e| format!("__wasm_call_ctors: {e:#}"))?;
    ctors
        .call(&mut *store, ())
        .map_err(|e| format!("__wasm_call_ctors trapped: {e:#}"))?;
    call_checks(store, p, |store, name| instance.get_func(store, name))
}

/// Calls each check function of `p`, found by `find`.
fn call_checks(
    store: &mut Store<()>,
    p: &Program,
    find: impl Fn(&mut Store<()>, &str) -> Option<wasmtime::Func>,
) -> Result<Vec<(String, Outcome)>, String> {
    let mut out = Vec::new();
    for (f, _) in p.checks() {
        let name = &p.funcs[f.idx()].name;
        let func = find(&mut *store, name)
            .ok_or_else(|| format!("{name} is not exported"))?
            .typed::<(), i64>(&*store)
            .map_err(|e| format!("{name}: {e:#}"))?;
        let r = match func.call(&mut *store, ()) {
            Ok(v) => Outcome::Value(v),
            Err(_) => Outcome::Trap,
        };
        out.push((name.clone(), r));
    }
    Ok(out)
}

impl Runner {
    /// Checks a linked module against the oracle: structure, then execution.
    pub fn verify(
        &self,
        bytes: &[u8],
        p: &Program,
        or: &Oracle,
    ) -> Result<Vec<(String, Outcome)>, String> {
        self.verify_with(bytes, p, or, true)
    }

    /// As [`Runner::verify`]; without `gc_exact`, the expectations that depend on which
    /// chunks garbage collection dropped (custom-section tombstones, functions and data
    /// present) are skipped: after `weld -r` (or `wasm-ld -r`) same-named data segments of the
    /// combined objects are one segment, so collection is coarser, while behaviour is the same.
    pub fn verify_with(
        &self,
        bytes: &[u8],
        p: &Program,
        or: &Oracle,
        gc_exact: bool,
    ) -> Result<Vec<(String, Outcome)>, String> {
        let info = OutInfo::parse(bytes)?;
        let mut errors = Vec::new();
        for e in &or.expects {
            let gc_dependent = matches!(
                e,
                Expect::Custom { .. } | Expect::FuncPresent { .. } | Expect::DataPresent { .. }
            );
            if gc_dependent && !gc_exact {
                continue;
            }
            match e {
                Expect::Custom {
                    section,
                    offset,
                    wide,
                    value,
                    what,
                } => {
                    let Some(data) = info.customs.get(section) else {
                        errors.push(format!("no custom section {section} (for {what})"));
                        continue;
                    };
                    let w = if *wide { 8 } else { 4 };
                    let at = *offset as usize;
                    let Some(field) = data.get(at..at + w) else {
                        errors.push(format!("{section} too short for {what} at {at}"));
                        continue;
                    };
                    let mut b = [0u8; 8];
                    b[..w].copy_from_slice(field);
                    if let Err(m) = info.check_value(u64::from_le_bytes(b), value) {
                        errors.push(format!("{section}+{at:#x} ({what}): {m}"));
                    }
                }
                Expect::FuncPresent { name, present } => {
                    if info.func_names.contains_key(name) != *present {
                        errors.push(format!(
                            "function {name} should {}be in the output",
                            if *present { "" } else { "not " }
                        ));
                    }
                }
                Expect::DataPresent {
                    marker,
                    present,
                    what,
                } => {
                    if info.contains_marker(marker) != *present {
                        errors.push(format!(
                            "{what} should {}be in the output",
                            if *present { "" } else { "not " }
                        ));
                    }
                }
                Expect::Export {
                    name,
                    present,
                    value,
                } => {
                    let got = info.exports.get(name);
                    if got.is_some() != *present {
                        errors.push(format!(
                            "{name} should {}be exported",
                            if *present { "" } else { "not " }
                        ));
                        continue;
                    }
                    if let (Some(&(ExternalKind::Global, g)), Some(v)) = (got, value) {
                        let addr = g
                            .checked_sub(info.n_global_imports)
                            .and_then(|i| info.global_inits.get(i as usize).copied().flatten());
                        match addr {
                            Some(a) => {
                                if let FieldValue::DataAt(b) = v
                                    && b.is_empty()
                                {
                                    continue;
                                }
                                if let Err(m) = info.check_value(a as u32 as u64, v) {
                                    errors.push(format!("export {name}: {m}"));
                                }
                            }
                            None => errors.push(format!("export {name}: not a constant global")),
                        }
                    }
                }
            }
        }
        match self.execute(bytes, p) {
            Err(e) => errors.push(e),
            Ok(results) => {
                for ((name, got), (_, want)) in results.iter().zip(&or.checks) {
                    if got != want {
                        errors.push(format!("{name}: expected {want:?}, got {got:?}"));
                    }
                }
                if errors.is_empty() {
                    return Ok(results);
                }
            }
        }
        Err(errors.join("\n"))
    }

    /// `weld -r` of the first half of the command-line objects (at least one), then the final
    /// link of that object with the rest, must give the one-step link's results.
    fn check_relocatable(&self, link: &StaticLink<'_>) -> Result<(), Failure> {
        let StaticLink {
            p,
            or,
            dir,
            args,
            checks,
            use_ld,
        } = *link;
        let objects: Vec<String> = p
            .objects
            .iter()
            .filter(|o| !o.in_archive)
            .map(|o| dir.join(&o.file).display().to_string())
            .collect();
        let k = (objects.len() / 2).max(1);
        let mut r_args = vec!["-r".to_string()];
        if p.wasm64 {
            r_args.extend(["-m".to_string(), "wasm64".to_string()]);
        }
        r_args.extend(objects[..k].iter().cloned());
        let combined = self.weld(&r_args, 4).map_err(|mut f| {
            f.message = format!("weld -r {}: {}", objects[..k].join(" "), f.message);
            f
        })?;
        let path = dir.join("combined.o");
        std::fs::write(&path, &combined)
            .map_err(|e| fail(FailureKind::Harness, format!("writing combined.o: {e}")))?;
        // The combined object takes the place of the first one it replaces.
        let mut final_args: Vec<String> = Vec::new();
        for a in args {
            if *a == objects[0] {
                final_args.push(path.display().to_string());
            } else if !objects[1..k].contains(a) {
                final_args.push(a.clone());
            }
        }
        let shown = || {
            format!(
                "weld -r {}, then: {}",
                objects[..k].join(" "),
                final_args.join(" ")
            )
        };
        let mut linked = vec![("weld", self.weld(&final_args, 4)?)];
        if use_ld {
            let b = self
                .wasm_ld(&final_args, &dir.join("ref-r.wasm"))
                .map_err(|e| {
                    fail(
                        FailureKind::WasmLd,
                        format!("wasm-ld-22 rejects weld's -r output: {e}\n{}", shown()),
                    )
                })?;
            linked.push(("wasm-ld-22", b));
        }
        for (linker, bytes) in linked {
            validate(&bytes).map_err(|e| {
                fail(
                    FailureKind::Invalid,
                    format!(
                        "{linker}'s link of weld -r output is invalid: {e}\n{}",
                        shown()
                    ),
                )
            })?;
            let got = self.verify_with(&bytes, p, or, false).map_err(|e| {
                fail(
                    FailureKind::Relocatable,
                    format!(
                        "{linker}'s link of weld -r output differs from the oracle:\n{e}\n{}",
                        shown()
                    ),
                )
            })?;
            if got != checks {
                return Err(fail(
                    FailureKind::Relocatable,
                    format!(
                        "{linker}'s link of weld -r output gave {got:?}, the direct link {checks:?}\n{}",
                        shown()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A position-independent program linked `-pie` (with an imported memory, so that the
    /// loader can place the data anywhere) must run as the static link does under the
    /// loader of [`Runner::execute_dynamic`], and, when wasm-ld-22 is run, have its bytes.
    fn check_pie(&self, link: &StaticLink<'_>) -> Result<(), Failure> {
        let StaticLink {
            p,
            or,
            dir,
            args,
            checks,
            use_ld,
        } = *link;
        let mut pie_args: Vec<String> = ["--experimental-pic", "-pie", "--import-memory"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        pie_args.extend(args.iter().cloned());
        let shown = || format!("-pie arguments: {}", pie_args.join(" "));
        // Named as wasm-ld's output is, for the module name.
        let reference_path = dir.join("ref-pie.wasm");
        let bytes = self
            .weld_as(&pie_args, 4, &reference_path.display().to_string())
            .map_err(|mut f| {
                f.message = format!("{}\n{}", f.message, shown());
                f
            })?;
        validate(&bytes).map_err(|e| {
            fail(
                FailureKind::Invalid,
                format!("weld's -pie output is invalid: {e}\n{}", shown()),
            )
        })?;
        let got = self
            .execute_dynamic(&[("main.wasm", &bytes)], p, or)
            .map_err(|e| {
                fail(
                    FailureKind::Mismatch,
                    format!(
                        "weld's -pie output fails under the loader: {e}\n{}",
                        shown()
                    ),
                )
            })?;
        if got != checks {
            return Err(fail(
                FailureKind::Mismatch,
                format!(
                    "weld's -pie output gave {got:?}, the static link {checks:?}\n{}",
                    shown()
                ),
            ));
        }
        if use_ld {
            let reference = self.wasm_ld(&pie_args, &reference_path).map_err(|e| {
                fail(
                    FailureKind::WasmLd,
                    format!("wasm-ld-22 fails on -pie where weld links: {e}"),
                )
            });
            compare_with_reference(dir, "pie.wasm", &bytes, reference).map_err(|mut f| {
                f.message = format!("{}\n{}", f.message, shown());
                f
            })?;
        }
        Ok(())
    }

    /// A PIC program split into modules ([`Oracle::side_module_objects`] linked `-shared`
    /// into `libside.so`, the rest `-pie` against it) must run as the static link does under
    /// the loader, and, when wasm-ld-22 is run, each module must have its bytes.
    fn check_split(&self, link: &StaticLink<'_>) -> Result<(), Failure> {
        let StaticLink {
            p,
            or,
            dir,
            args,
            checks,
            use_ld,
        } = *link;
        let moved = or.side_module_objects(p);
        if moved.is_empty() {
            return Ok(());
        }
        let path = |o: ObjId| dir.join(&p.objects[o.idx()].file).display().to_string();
        let moved_paths: Vec<String> = moved.iter().map(|&o| path(o)).collect();
        let moved_names: Vec<&str> = moved
            .iter()
            .flat_map(|&o| p.objects[o.idx()].definitions())
            .filter(|(_, b)| !b.local)
            .map(|(s, _)| p.name(s))
            .collect();
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let side = dir.join("libside.so");
        let mut side_args = strings(&[
            "--experimental-pic",
            "-shared",
            "--unresolved-symbols=import-dynamic",
        ]);
        side_args.extend(moved_paths.iter().cloned());
        // The main module exports what the library uses of it, and names its exports only.
        let mut main_args = strings(&[
            "--experimental-pic",
            "-pie",
            "--import-memory",
            "--export-dynamic",
        ]);
        main_args.extend(
            args.iter()
                .filter(|a| {
                    !moved_paths.contains(a)
                        && !a
                            .strip_prefix("--export=")
                            .is_some_and(|n| moved_names.contains(&n))
                })
                .cloned(),
        );
        main_args.push(side.display().to_string());
        let shown = || {
            format!(
                "library arguments: {}\nmain module arguments: {}",
                side_args.join(" "),
                main_args.join(" ")
            )
        };
        let with_args = |mut f: Failure| {
            keep_for_debugging(dir, &[]);
            f.message = format!("{}\n{}", f.message, shown());
            f
        };
        let side_bytes = self
            .weld_as(&side_args, 4, &side.display().to_string())
            .map_err(with_args)?;
        let main_path = dir.join("ref-split.wasm");
        // The main module's link reads the library: wasm-ld's when it runs (weld's must have
        // its bytes), else weld's.
        if use_ld {
            let reference = self.wasm_ld(&side_args, &side).map_err(|e| {
                fail(
                    FailureKind::WasmLd,
                    format!("wasm-ld-22 fails on the library where weld links: {e}"),
                )
            });
            compare_with_reference(dir, "libside.so", &side_bytes, reference).map_err(with_args)?;
        } else {
            std::fs::write(&side, &side_bytes)
                .map_err(|e| fail(FailureKind::Harness, format!("{}: {e}", side.display())))?;
        }
        let main_bytes = self
            .weld_as(&main_args, 4, &main_path.display().to_string())
            .map_err(with_args)?;
        if use_ld {
            let reference = self.wasm_ld(&main_args, &main_path).map_err(|e| {
                fail(
                    FailureKind::WasmLd,
                    format!("wasm-ld-22 fails on the main module where weld links: {e}"),
                )
            });
            compare_with_reference(dir, "main.wasm", &main_bytes, reference).map_err(with_args)?;
        }
        for (what, bytes) in [("library", &side_bytes), ("main module", &main_bytes)] {
            validate(bytes).map_err(|e| {
                with_args(fail(
                    FailureKind::Invalid,
                    format!("weld's split {what} is invalid: {e}"),
                ))
            })?;
        }
        let got = self
            .execute_dynamic(
                &[("main.wasm", &main_bytes), ("libside.so", &side_bytes)],
                p,
                or,
            )
            .map_err(|e| {
                with_args(fail(
                    FailureKind::Mismatch,
                    format!("weld's split modules fail under the loader: {e}"),
                ))
            })?;
        if got != checks {
            keep_for_debugging(
                dir,
                &[
                    ("weld-libside.so", &side_bytes),
                    ("weld-main.wasm", &main_bytes),
                ],
            );
            return Err(with_args(fail(
                FailureKind::Mismatch,
                format!("weld's split modules gave {got:?}, the static link {checks:?}"),
            )));
        }
        Ok(())
    }

    /// Checks the tag link: every thrower's `throw` names its tag's output index.
    fn verify_throws(&self, bytes: &[u8], throws: &[ThrowExpect]) -> Result<(), String> {
        let info = OutInfo::parse(bytes)?;
        for t in throws {
            let (Some(&(ExternalKind::Func, f)), Some(&(ExternalKind::Tag, tag))) =
                (info.exports.get(&t.thrower), info.exports.get(&t.tag))
            else {
                return Err(format!("{} or {} not exported", t.thrower, t.tag));
            };
            let got = f
                .checked_sub(info.n_func_imports)
                .and_then(|i| info.throws.get(i as usize).copied().flatten());
            if got != Some(tag) {
                return Err(format!(
                    "{} throws tag {got:?}, expected {} = {tag}",
                    t.thrower, t.tag
                ));
            }
        }
        Ok(())
    }

    /// Writes the program's files into a new temporary directory.
    pub fn write_files(&self, p: &Program) -> Result<tempfile::TempDir, Failure> {
        let dir = tempfile::tempdir().map_err(|e| fail(FailureKind::Harness, e.to_string()))?;
        for (name, bytes) in encode(p).files {
            std::fs::write(dir.path().join(name), bytes)
                .map_err(|e| fail(FailureKind::Harness, e.to_string()))?;
        }
        Ok(dir)
    }

    /// Links `p` with weld and checks everything `opts` asks for.
    pub fn check(&self, p: &Program, opts: &CheckOptions) -> Result<Report, Failure> {
        let or = Oracle::new(p);
        let dir = self.write_files(p)?;
        let args = link_args(p, dir.path(), false);
        let use_ld = opts.wasm_ld && self.wasm_ld.is_some();
        let bytes = self.weld(&args, 4).map_err(|mut f| {
            // Both failing would mean the generator made an invalid program.
            if use_ld {
                let verdict = match self.wasm_ld(&args, &dir.path().join("ref.wasm")) {
                    Ok(_) => "wasm-ld-22 links it".to_string(),
                    Err(e) => format!("wasm-ld-22 fails too (a generator bug?): {e}"),
                };
                f.message = format!("{}\n{verdict}", f.message);
            }
            f
        })?;
        let shown = || format!("weld/wasm-ld arguments: {}", args.join(" "));
        validate(&bytes).map_err(|e| {
            fail(
                FailureKind::Invalid,
                format!("weld's output is invalid: {e}\n{}", shown()),
            )
        })?;
        let checks = match self.verify(&bytes, p, &or) {
            Ok(c) => c,
            Err(e) => {
                // Say whether wasm-ld agrees with weld or with the oracle.
                let ld = if use_ld {
                    match self.wasm_ld(&args, &dir.path().join("ref.wasm")) {
                        Ok(b) => match self.verify(&b, p, &or) {
                            Ok(_) => "wasm-ld-22's output matches the oracle".to_string(),
                            Err(e2) => format!("wasm-ld-22's output differs too:\n{e2}"),
                        },
                        Err(e2) => format!("wasm-ld-22 fails: {e2}"),
                    }
                } else {
                    "wasm-ld-22 not run".to_string()
                };
                return Err(fail(
                    FailureKind::Mismatch,
                    format!(
                        "weld's output differs from the oracle:\n{e}\n{ld}\n{}",
                        shown()
                    ),
                ));
            }
        };
        if use_ld {
            let reference = self
                .wasm_ld(&args, &dir.path().join("ref.wasm"))
                .map_err(|e| {
                    fail(
                        FailureKind::WasmLd,
                        format!("wasm-ld-22 fails where weld links: {e}\n{}", shown()),
                    )
                })?;
            self.verify(&reference, p, &or).map_err(|e| {
                fail(
                    FailureKind::WasmLd,
                    format!(
                        "wasm-ld-22's output differs from the oracle (weld's matches):\n{e}\n{}",
                        shown()
                    ),
                )
            })?;
        }
        if opts.determinism {
            for threads in [1, 4] {
                let again = self.weld(&args, threads)?;
                if again != bytes {
                    return Err(fail(
                        FailureKind::Nondeterministic,
                        format!(
                            "linking again with {threads} thread(s) gave different bytes\n{}",
                            shown()
                        ),
                    ));
                }
            }
        }
        if !p.throwers().is_empty() {
            let targs = link_args(p, dir.path(), true);
            let tbytes = self.weld(&targs, 4)?;
            validate(&tbytes).map_err(|e| {
                fail(
                    FailureKind::Invalid,
                    format!(
                        "weld's tag link output is invalid: {e}\nargs: {}",
                        targs.join(" ")
                    ),
                )
            })?;
            self.verify_throws(&tbytes, &or.throws).map_err(|e| {
                fail(
                    FailureKind::Mismatch,
                    format!("tag link: {e}\nargs: {}", targs.join(" ")),
                )
            })?;
            if use_ld {
                let r = self
                    .wasm_ld(&targs, &dir.path().join("ref-tags.wasm"))
                    .map_err(|e| {
                        fail(
                            FailureKind::WasmLd,
                            format!("wasm-ld-22 fails on the tag link: {e}"),
                        )
                    })?;
                self.verify_throws(&r, &or.throws)
                    .map_err(|e| fail(FailureKind::WasmLd, format!("wasm-ld-22 tag link: {e}")))?;
            }
        }
        let n_cmd = p.objects.iter().filter(|o| !o.in_archive).count();
        if opts.permute && n_cmd >= 2 {
            let perm: Vec<usize> = (0..n_cmd).rev().collect();
            let q = p.with_command_line_order(&perm);
            let qor = Oracle::new(&q);
            let qdir = self.write_files(&q)?;
            let qargs = link_args(&q, qdir.path(), false);
            let qbytes = self.weld(&qargs, 4)?;
            let qchecks = self.verify(&qbytes, &q, &qor).map_err(|e| {
                fail(
                    FailureKind::Mismatch,
                    format!("with the objects reversed, weld's output differs from the oracle:\n{e}\nargs: {}", qargs.join(" ")),
                )
            })?;
            if !Oracle::order_sensitive(p) && qchecks != checks {
                return Err(fail(
                    FailureKind::Permutation,
                    format!("reversing the objects changed the results: {checks:?} vs {qchecks:?}"),
                ));
            }
        }
        let link = StaticLink {
            p,
            or: &or,
            dir: dir.path(),
            args: &args,
            checks: &checks,
            use_ld,
        };
        if opts.relocatable && n_cmd >= 1 {
            self.check_relocatable(&link)?;
        }
        if p.pic {
            self.check_pie(&link)?;
            self.check_split(&link)?;
        }
        Ok(Report {
            checks,
            compared_with_wasm_ld: use_ld,
            oracle: or,
        })
    }
}

/// Requires weld's `bytes` for module `what` to equal wasm-ld-22's `reference`.
fn compare_with_reference(
    dir: &Path,
    what: &str,
    bytes: &[u8],
    reference: Result<Vec<u8>, Failure>,
) -> Result<(), Failure> {
    let reference = reference?;
    if reference != bytes {
        keep_for_debugging(dir, &[(&format!("weld-{what}"), bytes)]);
        let at = reference
            .iter()
            .zip(bytes)
            .position(|(a, b)| a != b)
            .unwrap_or(reference.len().min(bytes.len()));
        // What the difference means (`weld diff`), as far as it can tell.
        let meaning = match weld::diff::diff(&reference, bytes) {
            Ok(lines) if lines.is_empty() => " (by meaning: none)".to_string(),
            Ok(lines) => format!(
                "; by meaning (wasm-ld-22's, then weld's):\n  {}",
                lines.join("\n  ")
            ),
            Err(e) => format!(" (by meaning: {e})"),
        };
        return Err(fail(
            FailureKind::WasmLd,
            format!(
                "weld's {what} differs from wasm-ld-22's from byte {at:#x} ({} and {} bytes){meaning}",
                bytes.len(),
                reference.len(),
            ),
        ));
    }
    Ok(())
}

/// A program's static link, which the other links of it are checked against.
#[derive(Clone, Copy)]
struct StaticLink<'a> {
    p: &'a Program,
    or: &'a Oracle,
    /// The directory holding the inputs.
    dir: &'a Path,
    /// The static link's arguments.
    args: &'a [String],
    /// What its check functions gave.
    checks: &'a [(String, Outcome)],
    /// Whether wasm-ld-22 is run too.
    use_ld: bool,
}

/// With `WELD_GEN_KEEP=DIR`, copies a failing check's inputs and wasm-ld's outputs from `dir`
/// into DIR, with `extra` files (weld's outputs) beside them, to rerun the links by hand.
fn keep_for_debugging(dir: &Path, extra: &[(&str, &[u8])]) {
    let Some(keep) = std::env::var_os("WELD_GEN_KEEP") else {
        return;
    };
    let keep = PathBuf::from(keep);
    let _ = std::fs::create_dir_all(&keep);
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let _ = std::fs::copy(e.path(), keep.join(e.file_name()));
        }
    }
    for (name, bytes) in extra {
        let _ = std::fs::write(keep.join(name), bytes);
    }
}
