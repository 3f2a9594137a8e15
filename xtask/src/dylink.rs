//! A dynamic loader for position-independent modules (issue 11), after tool-conventions'
//! DynamicLinking.md, and `cargo xtask dylink`, which runs the cases of `tests/dynamic/`.
//!
//! The loader takes a main module (`-pie`) and loads the shared libraries its `dylink.0`
//! section names, recursively, from the same directory:
//!
//! - one memory and one function table for all modules: the main module's own memory when it
//!   defines one, else one the loader makes; the table is the loader's;
//! - each module gets `memorysize` bytes of memory and `tablesize` table slots, aligned as its
//!   `dylink.0` asks, passed as `env.__memory_base` and `env.__table_base`; a shadow stack for
//!   `env.__stack_pointer` when a module imports it;
//! - `GOT.mem.NAME` and `GOT.func.NAME` are mutable globals the loader makes and fills once
//!   every module is instantiated: the address of the data symbol a module exports (its
//!   exported global plus that module's memory base), or a new table slot holding the
//!   exported function; a weak import (`dylink.0` import info) that nothing defines reads 0;
//! - a function import from `env` is resolved to the first module in load order (the main
//!   module first) that exports it. Imports are bound through small host trampolines that
//!   look the target up at call time, so modules may call each other in both directions;
//! - then each module's `__wasm_apply_data_relocs` runs (load order), then each
//!   `__wasm_call_ctors`, dependencies before the modules that need them (the main module's
//!   too: the cases export it, having no entry point to call it).
//!
//! Each case of `tests/dynamic/` is linked twice, by wasm-ld-22 and by weld (whose every
//! module must have wasm-ld's bytes), and both sets are loaded and run.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use wasmtime::{
    Engine, Extern, Func, Global, GlobalType, Instance, Memory, MemoryType, Module, Mutability,
    Ref, RefType, Store, Table, TableType, Val, ValType,
};

use crate::toolchain;
use crate::util::{self, run_captured};

/// What one module's `dylink.0` section says.
#[derive(Default, Debug)]
struct DylinkInfo {
    memory_size: u32,
    memory_align: u32,
    table_size: u32,
    table_align: u32,
    needed: Vec<String>,
    /// `(module, field)` of imports marked weak.
    weak: BTreeSet<(String, String)>,
}

fn dylink_info(bytes: &[u8]) -> Result<Option<DylinkInfo>, String> {
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| e.to_string())?;
        let wasmparser::Payload::CustomSection(c) = payload else {
            continue;
        };
        let wasmparser::KnownCustom::Dylink0(reader) = c.as_known() else {
            continue;
        };
        let mut info = DylinkInfo::default();
        for sub in reader {
            match sub.map_err(|e| format!("dylink.0: {e}"))? {
                wasmparser::Dylink0Subsection::MemInfo(m) => {
                    info.memory_size = m.memory_size;
                    info.memory_align = m.memory_alignment;
                    info.table_size = m.table_size;
                    info.table_align = m.table_alignment;
                }
                wasmparser::Dylink0Subsection::Needed(names) => {
                    info.needed.extend(names.iter().map(|n| n.to_string()));
                }
                wasmparser::Dylink0Subsection::ImportInfo(imports) => {
                    for i in imports {
                        if i.flags.contains(wasmparser::SymbolFlags::BINDING_WEAK) {
                            info.weak
                                .insert((i.module.to_string(), i.field.to_string()));
                        }
                    }
                }
                _ => {}
            }
        }
        return Ok(Some(info));
    }
    Ok(None)
}

/// A module in load order.
struct Loaded {
    name: String,
    /// The libraries its `dylink.0` names.
    needed: Vec<String>,
    instance: Instance,
    memory_base: u32,
}

/// Where the loader puts the first module's data: above address 0, so that no object is null.
const FIRST_BASE: u32 = 1024;
/// The shadow stack the loader gives modules that import `__stack_pointer`.
const STACK_SIZE: u32 = 64 << 10;

fn align(v: u32, log2: u32) -> u32 {
    let a = 1u32 << log2.min(31);
    v.div_ceil(a) * a
}

/// Loads `main` (a file in `dir`) and the libraries it needs, runs their relocations and
/// constructors, then calls each of `calls` (exports taking no parameters) and returns their
/// results as `name() = type:value`.
pub fn load_and_call(
    engine: &Engine,
    dir: &Path,
    main: &str,
    calls: &[String],
) -> Result<Vec<String>, String> {
    // Load order: the main module, then the libraries it needs, breadth first.
    let mut order: Vec<(String, Vec<u8>, DylinkInfo)> = Vec::new();
    let mut queue = vec![main.to_string()];
    while let Some(name) = (!queue.is_empty()).then(|| queue.remove(0)) {
        if order.iter().any(|(n, _, _)| *n == name) {
            continue;
        }
        let path = dir.join(&name);
        let bytes =
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let info = dylink_info(&bytes)?
            .ok_or_else(|| format!("{name} has no dylink.0 section: not a dynamic module"))?;
        queue.extend(info.needed.iter().cloned());
        order.push((name, bytes, info));
    }

    let mut store: Store<()> = Store::new(engine, ());
    let resolved: Arc<Mutex<HashMap<String, Func>>> = Arc::default();
    let table = Table::new(
        &mut store,
        TableType::new(RefType::FUNCREF, 0, None),
        Ref::Func(None),
    )
    .map_err(|e| e.to_string())?;
    let mut memory: Option<Memory> = None;
    let mut stack_pointer: Option<Global> = None;
    let mut next_base = FIRST_BASE;
    // GOT globals: (kind "mem"/"func", symbol, global, weak).
    let mut got: Vec<(String, String, Global, bool)> = Vec::new();
    let mut loaded: Vec<Loaded> = Vec::new();

    for (name, bytes, info) in order {
        let module = Module::new(engine, &bytes).map_err(|e| format!("{name}: {e}"))?;
        let memory_base = align(next_base, info.memory_align);
        next_base = memory_base + info.memory_size;
        let table_base = align(table.size(&store) as u32, info.table_align);
        // The module's elements go at its table base: the table must reach past them.
        let needed = u64::from(table_base + info.table_size);
        let grow = needed.saturating_sub(table.size(&store));
        table
            .grow(&mut store, grow, Ref::Func(None))
            .map_err(|e| format!("{name}: cannot grow the table: {e}"))?;
        let defines_memory = module
            .exports()
            .any(|e| matches!(e.ty(), wasmtime::ExternType::Memory(_)));
        if memory.is_none() && !defines_memory {
            let pages = u64::from(next_base.div_ceil(65536)) + 16;
            memory = Some(
                Memory::new(&mut store, MemoryType::new(pages as u32, None))
                    .map_err(|e| e.to_string())?,
            );
        }
        if let Some(m) = memory {
            let want = u64::from(next_base + STACK_SIZE).div_ceil(65536);
            let have = m.size(&store);
            if want > have {
                m.grow(&mut store, want - have)
                    .map_err(|e| format!("{name}: cannot grow memory: {e}"))?;
            }
        }
        let mut imports: Vec<Extern> = Vec::new();
        for import in module.imports() {
            let (m, f) = (import.module(), import.name());
            let ext: Extern = match (m, f, import.ty()) {
                ("env", "memory", _) => memory
                    .ok_or_else(|| format!("{name} imports memory before any module defines it"))?
                    .into(),
                ("env", "__indirect_function_table", _) => table.into(),
                ("env", "__memory_base", _) => const_i32(&mut store, memory_base)?.into(),
                ("env", "__table_base", _) => const_i32(&mut store, table_base)?.into(),
                ("env", "__stack_pointer", _) => {
                    let sp = match stack_pointer {
                        Some(sp) => sp,
                        None => {
                            // The stack grows down from the end of its region.
                            let top = align(next_base, 4) + STACK_SIZE;
                            next_base = top;
                            let ty = GlobalType::new(ValType::I32, Mutability::Var);
                            let sp = Global::new(&mut store, ty, Val::I32(top as i32))
                                .map_err(|e| e.to_string())?;
                            stack_pointer = Some(sp);
                            sp
                        }
                    };
                    sp.into()
                }
                ("GOT.mem" | "GOT.func", symbol, _) => {
                    let ty = GlobalType::new(ValType::I32, Mutability::Var);
                    let g = Global::new(&mut store, ty, Val::I32(0)).map_err(|e| e.to_string())?;
                    let weak = info.weak.contains(&("env".to_string(), symbol.to_string()));
                    let kind = m.trim_start_matches("GOT.").to_string();
                    got.push((kind, symbol.to_string(), g, weak));
                    g.into()
                }
                ("env", symbol, wasmtime::ExternType::Func(ty)) => {
                    let resolved = resolved.clone();
                    let symbol = symbol.to_string();
                    Func::new(&mut store, ty, move |mut caller, params, results| {
                        let target = resolved.lock().unwrap().get(&symbol).copied();
                        let Some(target) = target else {
                            return Err(wasmtime::Error::msg(format!(
                                "call to {symbol}, which no module defines"
                            )));
                        };
                        target.call(&mut caller, params, results)
                    })
                    .into()
                }
                (m, f, ty) => return Err(format!("{name}: unsupported import {m}.{f}: {ty:?}")),
            };
            imports.push(ext);
        }
        let instance = Instance::new(&mut store, &module, &imports)
            .map_err(|e| format!("{name}: cannot instantiate: {e}"))?;
        if memory.is_none() {
            memory = instance.get_memory(&mut store, "memory");
            let m = memory.ok_or_else(|| format!("{name}: no memory"))?;
            let want = u64::from(next_base + STACK_SIZE).div_ceil(65536);
            let have = m.size(&store);
            if want > have {
                m.grow(&mut store, want - have)
                    .map_err(|e| format!("{name}: cannot grow memory: {e}"))?;
            }
        }
        // The first module to export a function defines it (the main module first).
        let exports: Vec<(String, Func)> = instance
            .exports(&mut store)
            .filter_map(|e| {
                let n = e.name().to_string();
                e.into_func().map(|f| (n, f))
            })
            .collect();
        let mut map = resolved.lock().unwrap();
        for (n, f) in exports {
            map.entry(n).or_insert(f);
        }
        drop(map);
        loaded.push(Loaded {
            name,
            needed: info.needed.clone(),
            instance,
            memory_base,
        });
    }

    // The GOT: data addresses and function slots, from the first module that exports each.
    for (kind, symbol, global, weak) in &got {
        let value = if kind == "func" {
            let f = resolved.lock().unwrap().get(symbol).copied();
            match f {
                Some(f) => {
                    let slot = table
                        .grow(&mut store, 1, Ref::Func(Some(f)))
                        .map_err(|e| e.to_string())?;
                    Some(slot as i32)
                }
                None => None,
            }
        } else {
            let mut found = None;
            for l in &loaded {
                if let Some(g) = l.instance.get_global(&mut store, symbol)
                    && let Val::I32(v) = g.get(&mut store)
                {
                    found = Some(l.memory_base as i32 + v);
                    break;
                }
            }
            found
        };
        let value = match value {
            Some(v) => v,
            None if *weak => 0,
            None => return Err(format!("GOT.{kind}.{symbol}: no module defines {symbol}")),
        };
        global
            .set(&mut store, Val::I32(value))
            .map_err(|e| e.to_string())?;
    }

    let call0 = |store: &mut Store<()>, l: &Loaded, export: &str| -> Result<(), String> {
        if let Some(f) = l.instance.get_func(&mut *store, export) {
            f.call(&mut *store, &[], &mut [])
                .map_err(|e| format!("{}: {export}: {e}", l.name))?;
        }
        Ok(())
    };
    for l in &loaded {
        call0(&mut store, l, "__wasm_apply_data_relocs")?;
    }
    // Dependencies first: a depth-first walk of the needed lists, each module after
    // everything it needs (a module already on the walk is not entered again, which breaks
    // cycles).
    let index: HashMap<&str, usize> = loaded
        .iter()
        .enumerate()
        .map(|(i, l)| (l.name.as_str(), i))
        .collect();
    let mut ctor_order = Vec::new();
    let mut seen = vec![false; loaded.len()];
    fn visit(
        i: usize,
        loaded: &[Loaded],
        index: &HashMap<&str, usize>,
        seen: &mut [bool],
        order: &mut Vec<usize>,
    ) {
        if std::mem::replace(&mut seen[i], true) {
            return;
        }
        for n in &loaded[i].needed {
            if let Some(&j) = index.get(n.as_str()) {
                visit(j, loaded, index, seen, order);
            }
        }
        order.push(i);
    }
    visit(0, &loaded, &index, &mut seen, &mut ctor_order);
    for i in ctor_order {
        call0(&mut store, &loaded[i], "__wasm_call_ctors")?;
    }

    let main = &loaded[0];
    let mut results = Vec::new();
    for name in calls {
        let f = main
            .instance
            .get_func(&mut store, name)
            .ok_or_else(|| format!("{}: no export {name}", main.name))?;
        let n = f.ty(&store).results().len();
        let mut out = vec![Val::I32(0); n];
        match f.call(&mut store, &[], &mut out) {
            Ok(()) => {
                let shown: Vec<String> = out.iter().map(show).collect();
                results.push(format!("{name}() = {}", shown.join(", ")));
            }
            Err(e) => {
                let trap = e
                    .downcast_ref::<wasmtime::Trap>()
                    .map_or("error".to_string(), |t| format!("{t:?}"));
                results.push(format!("{name}() trapped: {trap}"));
            }
        }
    }
    Ok(results)
}

fn const_i32(store: &mut Store<()>, v: u32) -> Result<Global, String> {
    let ty = GlobalType::new(ValType::I32, Mutability::Const);
    Global::new(store, ty, Val::I32(v as i32)).map_err(|e| e.to_string())
}

fn show(v: &Val) -> String {
    match v {
        Val::I32(v) => format!("i32:{v}"),
        Val::I64(v) => format!("i64:{v}"),
        other => format!("{other:?}"),
    }
}

/// A case of `tests/dynamic/`: `main.c` linked `-pie` with the case's libraries, each
/// `NAME.c` named by a `lib = NAME [DEP...] [-FLAG...]` line linked `-shared` (with its
/// dependencies' `.so` files as inputs, so that they are recorded as needed, and the extra
/// link options given, such as `-Bsymbolic`).
struct Case {
    name: String,
    dir: PathBuf,
    /// `(library, its dependencies and extra options)`, in link order.
    libs: Vec<(String, Vec<String>)>,
    calls: Vec<String>,
    /// What the calls must return, from the sources' semantics.
    expect: Vec<String>,
    /// `variant = NAME CFLAG...`: the case again with these compiler options (the plain
    /// build always runs, as variant `default`).
    variants: Vec<(String, Vec<String>)>,
}

fn read_case(dir: &Path) -> Result<Case, String> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = std::fs::read_to_string(dir.join("case.txt"))
        .map_err(|e| format!("{name}: cannot read case.txt: {e}"))?;
    let mut case = Case {
        name: name.clone(),
        dir: dir.to_path_buf(),
        libs: Vec::new(),
        calls: Vec::new(),
        expect: Vec::new(),
        variants: vec![("default".to_string(), Vec::new())],
    };
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| format!("{name}: case.txt: not `key = value`: {line}"))?;
        let words: Vec<String> = value.split_whitespace().map(str::to_string).collect();
        match key.trim() {
            "lib" => {
                let (lib, deps) = words
                    .split_first()
                    .ok_or_else(|| format!("{name}: case.txt: `lib` needs a name"))?;
                case.libs.push((lib.clone(), deps.to_vec()));
            }
            "call" => case.calls.extend(words),
            "variant" => {
                let (variant, flags) = words
                    .split_first()
                    .ok_or_else(|| format!("{name}: case.txt: `variant` needs a name"))?;
                case.variants.push((variant.clone(), flags.to_vec()));
            }
            // One result per line: `name() = i32:7`.
            "expect" => case.expect.push(value.trim().to_string()),
            other => return Err(format!("{name}: case.txt: unknown key `{other}`")),
        }
    }
    Ok(case)
}

/// Compiles a case's sources with `-fPIC` and `cflags` and links them with wasm-ld-22 into
/// `out`.
fn build_case(case: &Case, cflags: &[String], out: &Path) -> Result<(), String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let compile = |src: &str| -> Result<PathBuf, String> {
        let obj = out.join(format!("{src}.o"));
        let mut cmd = Command::new(toolchain::Compiler::Clang22.clang());
        cmd.args(["--target=wasm32-unknown-unknown", "-fPIC", "-O1", "-c"])
            .args(cflags)
            .arg(case.dir.join(format!("{src}.c")))
            .arg("-o")
            .arg(&obj);
        run_captured(&mut cmd).map_err(|e| format!("{}: compiling {src}.c: {e}", case.name))?;
        Ok(obj)
    };
    let pic = ["--experimental-pic"];
    compile("main")?;
    for (lib, deps) in &case.libs {
        let obj = compile(lib)?;
        let mut cmd = Command::new(toolchain::WASM_LD);
        cmd.args(pic)
            .args(["-shared", "--unresolved-symbols=import-dynamic"])
            .arg(&obj);
        lib_inputs(&mut cmd, deps, out);
        cmd.arg("-o").arg(out.join(format!("{lib}.so")));
        run_captured(&mut cmd).map_err(|e| format!("{}: linking {lib}.so: {e}", case.name))?;
    }
    link_main(Path::new(toolchain::WASM_LD), case, out, out)
        .map_err(|e| format!("{}: linking main.wasm: {e}", case.name))
}

/// Adds a library's dependencies (`.so` files in `dir`) and extra options to its link.
fn lib_inputs(cmd: &mut Command, deps: &[String], dir: &Path) {
    for d in deps {
        if d.starts_with('-') {
            cmd.arg(d);
        } else {
            cmd.arg(dir.join(format!("{d}.so")));
        }
    }
}

/// Links `main.o` of `from` `-pie` against the case's libraries in `out`, into
/// `out/main.wasm`.
fn link_main(linker: &Path, case: &Case, from: &Path, out: &Path) -> Result<(), String> {
    let mut cmd = Command::new(linker);
    cmd.arg("--experimental-pic")
        // Without an entry point nothing calls the main module's constructors: exported, the
        // loader calls them as it does a library's.
        .args([
            "-pie",
            "--no-entry",
            "--export-dynamic",
            "--export=__wasm_call_ctors",
        ])
        .arg(from.join("main.o"));
    for (lib, _) in &case.libs {
        cmd.arg(out.join(format!("{lib}.so")));
    }
    cmd.arg("-o").arg(out.join("main.wasm"));
    run_captured(&mut cmd).map(drop)
}

/// Links the case's libraries and main module with weld from the objects `build_case`
/// compiled into `from`, into `out`, and checks that each has wasm-ld's bytes.
fn build_case_weld(case: &Case, from: &Path, out: &Path) -> Result<(), String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    for (lib, deps) in &case.libs {
        let mut cmd = Command::new(toolchain::weld_path());
        cmd.args([
            "--experimental-pic",
            "-shared",
            "--unresolved-symbols=import-dynamic",
        ])
        .arg(from.join(format!("{lib}.o")));
        lib_inputs(&mut cmd, deps, out);
        let so = out.join(format!("{lib}.so"));
        cmd.arg("-o").arg(&so);
        run_captured(&mut cmd).map_err(|e| format!("weld linking {lib}.so: {e}"))?;
        same_bytes(&from.join(format!("{lib}.so")), &so)?;
    }
    link_main(&toolchain::weld_path(), case, from, out)
        .map_err(|e| format!("weld linking main.wasm: {e}"))?;
    same_bytes(&from.join("main.wasm"), &out.join("main.wasm"))
}

/// Checks that weld's output `ours` has the bytes of wasm-ld's `theirs`.
fn same_bytes(theirs: &Path, ours: &Path) -> Result<(), String> {
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    let (theirs_bytes, ours_bytes) = (read(theirs)?, read(ours)?);
    if ours_bytes != theirs_bytes {
        let name = ours.file_name().unwrap_or_default().to_string_lossy();
        return Err(format!(
            "weld's {name} differs from wasm-ld's: {}",
            crate::differential::first_difference(&theirs_bytes, &ours_bytes)
        ));
    }
    Ok(())
}

/// `cargo xtask dylink`: builds every case of `tests/dynamic/` with wasm-ld-22, loads it and
/// checks the calls' results.
pub fn run(_args: &[String]) -> Result<(), String> {
    let (passed, failed) = run_cases()?;
    println!("dylink: {passed} passed, {failed} failed");
    if failed > 0 {
        return Err(format!("{failed} dynamic-linking case(s) failed"));
    }
    Ok(())
}

/// Runs every case, printing a line for each; returns how many passed and failed.
pub fn run_cases() -> Result<(usize, usize), String> {
    let root = util::repo_root();
    let cases_dir = root.join("tests/dynamic");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&cases_dir)
        .map_err(|e| format!("cannot read {}: {e}", cases_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let engine = Engine::default();
    let (mut passed, mut failed) = (0, 0);
    let cases: Vec<Case> = dirs
        .iter()
        .map(|d| read_case(d))
        .collect::<Result<_, _>>()?;
    for case in &cases {
        for (variant, cflags) in &case.variants {
            let (p, f) = run_variant(&engine, &root, case, variant, cflags);
            passed += p;
            failed += f;
        }
    }
    Ok((passed, failed))
}

/// Builds one variant of a case with both linkers, runs both and prints a line for each;
/// returns how many passed and failed.
fn run_variant(
    engine: &Engine,
    root: &Path,
    case: &Case,
    variant: &str,
    cflags: &[String],
) -> (usize, usize) {
    let (mut passed, mut failed) = (0, 0);
    {
        let out = root
            .join("target/dynamic")
            .join(&case.name)
            .join(variant)
            .join("wasm-ld");
        let result = build_case(case, cflags, &out)
            .and_then(|()| load_and_call(engine, &out, "main.wasm", &case.calls));
        // Then weld's libraries and main module, each byte-compared with wasm-ld's.
        let weld_out = out.with_file_name("weld");
        let weld_result = result.as_ref().map_err(Clone::clone).and_then(|_| {
            build_case_weld(case, &out, &weld_out)
                .and_then(|()| load_and_call(engine, &weld_out, "main.wasm", &case.calls))
        });
        for (linker, result) in [("wasm-ld-22", result), ("weld", weld_result)] {
            let label = if variant == "default" {
                format!("dynamic {} ({linker})", case.name)
            } else {
                format!("dynamic {}/{variant} ({linker})", case.name)
            };
            match result {
                Ok(results) if results == case.expect => {
                    passed += 1;
                    println!("ok   {label}");
                }
                Ok(results) => {
                    failed += 1;
                    println!(
                        "FAIL {label}\n  expected: {:?}\n  got:      {results:?}",
                        case.expect
                    );
                }
                Err(e) => {
                    failed += 1;
                    println!("FAIL {label}\n  {e}");
                }
            }
        }
    }
    (passed, failed)
}
