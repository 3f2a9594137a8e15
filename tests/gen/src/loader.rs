//! A dynamic loader for position-independent modules, after tool-conventions'
//! DynamicLinking.md. `cargo xtask dylink` runs the C cases of `tests/dynamic/` under it, and
//! the runner runs generated programs linked `-pie` (alone, or split into a main module and a
//! side module) under it.
//!
//! [`load`] takes a main module (`-pie`) and loads the shared libraries its `dylink.0` section
//! names, recursively:
//!
//! - one memory and one function table for all modules: the main module's own memory when it
//!   defines one, else one the loader makes (shared, when the modules import a shared memory); the table is the loader's, and its slot 0 stays
//!   null so that no function's address is 0;
//! - a 64 KiB shadow stack at the bottom of memory (`env.__stack_pointer` starts at its top;
//!   when the main module defines the memory, at the top of the modules' data instead), then
//!   each module's `memorysize` bytes, aligned as its `dylink.0` asks, at
//!   `env.__memory_base`, and its `tablesize` slots at `env.__table_base`;
//! - `GOT.mem.NAME` and `GOT.func.NAME` are mutable globals the loader makes and fills once
//!   every module is instantiated: the address of the data symbol a module exports (its
//!   exported global plus that module's memory base), or the table slot of the function a
//!   module exports (or the host provides): the slot a module's own elements gave it, or one
//!   new slot shared by every entry for it, so that a function has one address; a weak import (`dylink.0` import info)
//!   that nothing defines reads 0;
//! - a global import from `env` is the global of that name an earlier module exports, or a
//!   placeholder (a library imports its own weak globals, which its code does not read);
//! - a function import from `env` is resolved to the first module in load order (the main
//!   module first) that exports it, or to a host function. Imports are bound through small
//!   trampolines that look the target up at call time, so modules may call each other in
//!   both directions, and a call to a function nobody defines traps;
//! - then each module's `__wasm_apply_data_relocs` runs (load order), then each
//!   `__wasm_call_ctors`, dependencies before the modules that need them (the main module's
//!   too, when it exports it: without an entry point nothing else calls it).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use wasmtime::{
    Extern, Func, Global, GlobalType, Instance, Memory, MemoryType, MemoryTypeBuilder, Module,
    Mutability, Ref, RefType, SharedMemory, Store, Table, TableType, Val, ValType,
};

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

/// What the host gives the modules besides what they give each other.
#[derive(Default)]
pub struct HostImports {
    /// Imports bound to these before the loader's own rules, by `(module, field)`.
    pub externs: HashMap<(String, String), Extern>,
    /// Functions by symbol name that no module defines: a `GOT.func` import of one gets a
    /// slot holding it, and an `env` import of one calls it.
    pub functions: Vec<(String, Func)>,
    /// Symbols whose `GOT` imports read 0 when nothing defines them, besides those `dylink.0`
    /// marks weak (a weak import under an explicit import name is listed under that name).
    pub null_if_undefined: BTreeSet<String>,
}

/// A module in load order.
pub struct Loaded {
    /// Its file name (the main module's as given, a library's as its loader found it named).
    pub name: String,
    /// The libraries its `dylink.0` names.
    pub needed: Vec<String>,
    /// The instance.
    pub instance: Instance,
    /// Where its data starts.
    pub memory_base: u32,
}

/// The shadow stack's size. It is at the bottom of memory (`__stack_pointer` starts at its
/// top, and the first module's data goes above it, as a static link lays memory out by
/// default), or above every module's data when the main module defines the memory.
pub const STACK_SIZE: u32 = 64 << 10;

/// Where the first module's data goes when the main module defines the memory: above address
/// 0, so that no object is null.
const LOW_BASE: u32 = 1024;

fn align(v: u32, log2: u32) -> u32 {
    let a = 1u32 << log2.min(31);
    v.div_ceil(a) * a
}

/// Loads `main` and the libraries it needs (`read` gives a module's bytes by the name a
/// `dylink.0` section uses for it), fills the GOT, runs the data relocations and the
/// constructors. Returns the modules in load order (the main module first).
pub fn load(
    store: &mut Store<()>,
    main: &str,
    read: &dyn Fn(&str) -> Result<Vec<u8>, String>,
    host: HostImports,
) -> Result<Vec<Loaded>, String> {
    let engine = store.engine().clone();
    // Load order: the main module, then the libraries it needs, breadth first.
    let mut order: Vec<(String, Vec<u8>, DylinkInfo)> = Vec::new();
    let mut queue = vec![main.to_string()];
    while let Some(name) = (!queue.is_empty()).then(|| queue.remove(0)) {
        if order.iter().any(|(n, _, _)| *n == name) {
            continue;
        }
        let bytes = read(&name)?;
        let info = dylink_info(&bytes)?
            .ok_or_else(|| format!("{name} has no dylink.0 section: not a dynamic module"))?;
        queue.extend(info.needed.iter().cloned());
        order.push((name, bytes, info));
    }

    let resolved: Arc<Mutex<HashMap<String, Func>>> =
        Arc::new(Mutex::new(host.functions.into_iter().collect()));
    // wasm64 modules (`-m wasm64`) have a 64-bit memory and table and i64 addresses.
    let wide = match order.first() {
        Some((name, bytes, _)) => Module::new(&engine, bytes)
            .map_err(|e| format!("{name}: {e}"))?
            .imports()
            .any(|i| {
                i.name() == "__memory_base"
                    && matches!(i.ty(), wasmtime::ExternType::Global(g) if g.content().is_i64())
            }),
        None => false,
    };
    let addr = Addr { wide };
    let table_type = if wide {
        TableType::new64(RefType::FUNCREF, 1, None)
    } else {
        TableType::new(RefType::FUNCREF, 1, None)
    };
    let table = Table::new(&mut *store, table_type, Ref::Func(None)).map_err(|e| e.to_string())?;
    let mut memory: Option<SharedOrNot> = None;
    let stack_pointer = addr.global(store, Mutability::Var, STACK_SIZE.into())?;
    // The stack goes first, under the data, unless the main module defines the memory: its
    // initial size has no room for a stack, so the data starts low and the stack goes last.
    let main_defines_memory = match order.first() {
        Some((name, bytes, _)) => Module::new(&engine, bytes)
            .map_err(|e| format!("{name}: {e}"))?
            .exports()
            .any(|e| matches!(e.ty(), wasmtime::ExternType::Memory(_))),
        None => false,
    };
    let mut next_base = if main_defines_memory {
        LOW_BASE
    } else {
        STACK_SIZE
    };
    // GOT globals: (kind "mem"/"func", symbol, global, weak).
    let mut got: Vec<(String, String, Global, bool)> = Vec::new();
    let mut loaded: Vec<Loaded> = Vec::new();

    for (name, bytes, info) in order {
        let module = Module::new(&engine, &bytes).map_err(|e| format!("{name}: {e}"))?;
        let memory_base = align(next_base, info.memory_align);
        next_base = memory_base + info.memory_size;
        let table_base = align(table.size(&*store) as u32, info.table_align);
        // The module's elements go at its table base: the table must reach past them.
        let needed = u64::from(table_base + info.table_size);
        let grow = needed.saturating_sub(table.size(&*store));
        table
            .grow(&mut *store, grow, Ref::Func(None))
            .map_err(|e| format!("{name}: cannot grow the table: {e}"))?;
        let defines_memory = module
            .exports()
            .any(|e| matches!(e.ty(), wasmtime::ExternType::Memory(_)));
        if memory.is_none() && !defines_memory {
            let pages = u64::from(next_base.div_ceil(65536)) + 16;
            // A shared memory (threads) as the module imports it, with its maximum.
            let shared = module.imports().find_map(|i| match i.ty() {
                wasmtime::ExternType::Memory(m) if m.is_shared() => Some(m.maximum()),
                _ => None,
            });
            memory = Some(match shared {
                Some(max) => {
                    let ty = MemoryTypeBuilder::new()
                        .min(pages)
                        .max(max)
                        .shared(true)
                        .memory64(wide)
                        .build()
                        .map_err(|e| e.to_string())?;
                    SharedOrNot::Shared(SharedMemory::new(&engine, ty).map_err(|e| e.to_string())?)
                }
                None => {
                    let ty = if wide {
                        MemoryType::new64(pages, None)
                    } else {
                        MemoryType::new(pages as u32, None)
                    };
                    SharedOrNot::Plain(Memory::new(&mut *store, ty).map_err(|e| e.to_string())?)
                }
            });
        }
        if let Some(m) = &memory {
            m.grow_to(store, next_base)
                .map_err(|e| format!("{name}: {e}"))?;
        }
        let mut imports: Vec<Extern> = Vec::new();
        for import in module.imports() {
            let (m, f) = (import.module(), import.name());
            if let Some(ext) = host.externs.get(&(m.to_string(), f.to_string())) {
                imports.push(ext.clone());
                continue;
            }
            let ext: Extern = match (m, f, import.ty()) {
                ("env", "memory", _) => memory
                    .as_ref()
                    .ok_or_else(|| format!("{name} imports memory before any module defines it"))?
                    .to_extern(),
                ("env", "__indirect_function_table", _) => table.into(),
                ("env", "__memory_base", _) => addr
                    .global(store, Mutability::Const, memory_base.into())?
                    .into(),
                ("env", "__table_base", _) => addr
                    .global(store, Mutability::Const, table_base.into())?
                    .into(),
                ("env", "__stack_pointer", _) => stack_pointer.into(),
                ("GOT.mem" | "GOT.func", symbol, _) => {
                    let g = addr.global(store, Mutability::Var, 0)?;
                    let weak = info.weak.contains(&("env".to_string(), symbol.to_string()))
                        || host.null_if_undefined.contains(symbol);
                    let kind = m.trim_start_matches("GOT.").to_string();
                    got.push((kind, symbol.to_string(), g, weak));
                    g.into()
                }
                ("env", symbol, wasmtime::ExternType::Func(ty)) => {
                    let resolved = resolved.clone();
                    let symbol = symbol.to_string();
                    Func::new(&mut *store, ty, move |mut caller, params, results| {
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
                // A global an earlier module exports; else a placeholder: a library imports
                // its own weak globals so that another module could preempt them, but its
                // code keeps using its definition.
                ("env", symbol, wasmtime::ExternType::Global(ty)) => {
                    let earlier = loaded
                        .iter()
                        .find_map(|l| l.instance.get_global(&mut *store, symbol));
                    match earlier {
                        Some(g) => g.into(),
                        None => {
                            let zero = Val::default_for_ty(ty.content())
                                .ok_or_else(|| format!("{name}: import {m}.{f}: no default"))?;
                            Global::new(&mut *store, ty, zero)
                                .map_err(|e| format!("{name}: import {m}.{f}: {e}"))?
                                .into()
                        }
                    }
                }
                (m, f, ty) => return Err(format!("{name}: unsupported import {m}.{f}: {ty:?}")),
            };
            imports.push(ext);
        }
        let instance = Instance::new(&mut *store, &module, &imports)
            .map_err(|e| format!("{name}: cannot instantiate: {e}"))?;
        if memory.is_none() {
            memory = match instance.get_memory(&mut *store, "memory") {
                Some(m) => Some(SharedOrNot::Plain(m)),
                None => instance
                    .get_shared_memory(&mut *store, "memory")
                    .map(SharedOrNot::Shared),
            };
            let m = memory
                .as_ref()
                .ok_or_else(|| format!("{name}: no memory"))?;
            m.grow_to(store, next_base)
                .map_err(|e| format!("{name}: {e}"))?;
        }
        // The first module to export a function defines it (the main module first).
        let exports: Vec<(String, Func)> = instance
            .exports(&mut *store)
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

    if main_defines_memory {
        let top = align(next_base, 4) + STACK_SIZE;
        memory.as_ref().ok_or("no memory")?.grow_to(store, top)?;
        stack_pointer
            .set(&mut *store, addr.val(top.into()))
            .map_err(|e| e.to_string())?;
    }

    // A function has one address in all modules: a `GOT.func` entry reuses the slot a module's
    // own elements already gave the function, or the one an earlier entry made (as emscripten's
    // loader does). Functions are told apart by their raw funcref, which is the same for every
    // reference to one function of one instance.
    let mut slot_of: HashMap<usize, u64> = HashMap::new();
    for slot in 0..table.size(&*store) {
        if let Some(Ref::Func(Some(f))) = table.get(&mut *store, slot) {
            slot_of
                .entry(f.to_raw(&mut *store) as usize)
                .or_insert(slot);
        }
    }
    // The GOT: data addresses and function slots, from the first module that exports each.
    for (kind, symbol, global, weak) in &got {
        let value = if kind == "func" {
            let f = resolved.lock().unwrap().get(symbol).copied();
            match f {
                Some(f) => {
                    let key = f.to_raw(&mut *store) as usize;
                    let slot = match slot_of.get(&key) {
                        Some(&slot) => slot,
                        None => {
                            let slot = table
                                .grow(&mut *store, 1, Ref::Func(Some(f)))
                                .map_err(|e| e.to_string())?;
                            slot_of.insert(key, slot);
                            slot
                        }
                    };
                    Some(slot)
                }
                None => None,
            }
        } else {
            let mut found = None;
            for l in &loaded {
                if let Some(g) = l.instance.get_global(&mut *store, symbol) {
                    let offset = match g.get(&mut *store) {
                        Val::I32(v) => v as u32 as u64,
                        Val::I64(v) => v as u64,
                        _ => continue,
                    };
                    found = Some(u64::from(l.memory_base) + offset);
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
            .set(&mut *store, addr.val(value))
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
        call0(store, l, "__wasm_apply_data_relocs")?;
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
        call0(store, &loaded[i], "__wasm_call_ctors")?;
    }
    Ok(loaded)
}

/// The one memory: a plain one, or a shared one when the modules use threads.
enum SharedOrNot {
    Plain(Memory),
    Shared(SharedMemory),
}

impl SharedOrNot {
    /// Grows the memory to hold `end` bytes.
    fn grow_to(&self, store: &mut Store<()>, end: u32) -> Result<(), String> {
        let want = u64::from(end).div_ceil(65536);
        let have = match self {
            SharedOrNot::Plain(m) => m.size(&*store),
            SharedOrNot::Shared(m) => m.size(),
        };
        if want > have {
            let grown = match self {
                SharedOrNot::Plain(m) => m.grow(&mut *store, want - have),
                SharedOrNot::Shared(m) => m.grow(want - have),
            };
            grown.map_err(|e| format!("cannot grow memory: {e}"))?;
        }
        Ok(())
    }

    fn to_extern(&self) -> Extern {
        match self {
            SharedOrNot::Plain(m) => (*m).into(),
            SharedOrNot::Shared(m) => m.clone().into(),
        }
    }
}

/// Addresses, table slots and offsets as the modules' globals hold them: i32, or i64 for
/// wasm64.
#[derive(Clone, Copy)]
struct Addr {
    wide: bool,
}

impl Addr {
    fn val(self, v: u64) -> Val {
        if self.wide {
            Val::I64(v as i64)
        } else {
            Val::I32(v as i32)
        }
    }

    fn global(
        self,
        store: &mut Store<()>,
        mutability: Mutability,
        v: u64,
    ) -> Result<Global, String> {
        let ty = if self.wide {
            ValType::I64
        } else {
            ValType::I32
        };
        Global::new(store, GlobalType::new(ty, mutability), self.val(v)).map_err(|e| e.to_string())
    }
}

/// The first module of `loaded` (load order) that exports a function `name`.
pub fn find_func(store: &mut Store<()>, loaded: &[Loaded], name: &str) -> Option<Func> {
    loaded
        .iter()
        .find_map(|l| l.instance.get_func(&mut *store, name))
}
