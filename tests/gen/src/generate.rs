//! Building valid programs from unstructured bytes.
//!
//! Generation has two phases. First every name is declared and *placed*: which objects define
//! it, weakly, strongly or locally (or nowhere: a weak undefined name). Then the references are
//! drawn: pointer slots in data, function bodies, constructors, custom sections and `--export`
//! names. A reference is strong only when the name has a definition some object can see, so a
//! strong reference always resolves (archive members get extracted for it); code that reads
//! through a possibly-null address checks for null first. Function bodies only call names of
//! lower rank (declaration order), so there is no recursion. The result is valid by construction,
//! whatever the bytes: when they run out, every choice takes its smallest option.

use std::collections::{HashMap, HashSet};

use arbitrary::{Arbitrary, Unstructured};

use crate::model::*;

/// Never-failing choices drawn from the bytes.
struct Src<'a, 'b> {
    u: &'b mut Unstructured<'a>,
}

impl Src<'_, '_> {
    fn int(&mut self, lo: u32, hi: u32) -> u32 {
        self.u.int_in_range(lo..=hi).unwrap_or(lo)
    }
    fn chance(&mut self, num: u32, den: u32) -> bool {
        self.int(0, den - 1) < num
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.int(0, xs.len() as u32 - 1) as usize]
    }
    fn i64(&mut self) -> i64 {
        // Small values half of the time, so sums stay readable in reports.
        if self.chance(1, 2) {
            self.int(0, 1000) as i64
        } else {
            i64::arbitrary(self.u).unwrap_or(0)
        }
    }
    fn byte(&mut self) -> u8 {
        self.int(0, 255) as u8
    }
}

/// Where a name is defined (see [`Gen::place`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Placement {
    StrongCmd,
    StrongMember,
    WeakThenStrong,
    WeakCmdStrongMember,
    WeakOnly,
    WeakMember,
    Local,
}

/// Which features the generator may use. [`GenConfig::default`] leaves out `ABSOLUTE` symbols,
/// which hit a wasm-ld-22 bug (see `tests/known_bugs.rs`); [`GenConfig::ALL`] uses everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenConfig {
    /// Objects that define tables (found weld failing with "table t0 is not in the output").
    pub defined_tables: bool,
    /// Objects that define globals (found weld writing their initializer with two `end`s).
    pub defined_globals: bool,
    /// `ABSOLUTE` data symbols (wasm-ld-22 resolves them relative to segment 0).
    pub absolute_symbols: bool,
    /// `R_WASM_MEMORY_ADDR_LOCREL_I32` fields at a non-zero offset of their segment (found
    /// weld counting the field's offset twice).
    pub locrel_at_offset: bool,
    /// Several data symbols in one segment (inner symbols, several strings per `STRINGS`
    /// segment). Found an overflow panic in weld's debug builds when such a segment was
    /// garbage-collected.
    pub offset_data_symbols: bool,
    /// Thread-local data read through `__tls_base` and TLS relocations.
    pub tls: bool,
    /// Links with `--shared-memory`.
    pub shared_memory: bool,
    /// `REL` relocations (`__memory_base`/`__table_base`-relative addresses, as PIC code has).
    pub rel: bool,
    /// wasm64 programs.
    pub wasm64: bool,
    /// Position-independent code, also linked `-pie` and run through a loader.
    pub pic: bool,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            defined_tables: true,
            defined_globals: true,
            absolute_symbols: false,
            locrel_at_offset: true,
            offset_data_symbols: true,
            tls: true,
            shared_memory: true,
            rel: true,
            wasm64: true,
            pic: true,
        }
    }
}

impl GenConfig {
    /// Every feature.
    pub const ALL: GenConfig = GenConfig {
        defined_tables: true,
        defined_globals: true,
        absolute_symbols: true,
        locrel_at_offset: true,
        offset_data_symbols: true,
        tls: true,
        shared_memory: true,
        rel: true,
        wasm64: true,
        pic: true,
    };
}

struct Gen<'a, 'b> {
    cfg: GenConfig,
    s: Src<'a, 'b>,
    p: Program,
    n_cmd: usize,
    defs: HashMap<Sym, Vec<(ObjId, Binding)>>,
    strong_refs: HashSet<(ObjId, Sym)>,
    segment_counter: u32,
    /// The program is to be position-independent: chosen first, so that the generator leaves
    /// out what [`pic_eligible`] rules out.
    pic: bool,
    /// In some PIC programs, the last command-line object, which the runner's split check
    /// can move into a shared library ([`Oracle::side_module_objects`]): names it shares with
    /// other objects are ones modules can share (no hidden name, global, table or tag, no
    /// name an archive member defines, no second definition, no relative address across),
    /// and its constructors run first.
    ///
    /// [`Oracle::side_module_objects`]: crate::oracle::Oracle::side_module_objects
    library: Option<ObjId>,
}

/// The string pool: overlapping tails so that merging has something to do.
const STRINGS: &[&str] = &["hello", "lo", "world", "weld", "eld", "x", "held"];

/// Builds a valid program from `u` with [`GenConfig::default`]; never fails (exhausted input
/// gives small programs).
pub fn generate(u: &mut Unstructured<'_>) -> Program {
    generate_with(u, GenConfig::default())
}

/// Builds a valid program from `u` using the features `cfg` allows.
pub fn generate_with(u: &mut Unstructured<'_>, cfg: GenConfig) -> Program {
    let mut g = Gen {
        cfg,
        s: Src { u },
        p: Program {
            objects: Vec::new(),
            funcs: Vec::new(),
            datas: Vec::new(),
            globals: Vec::new(),
            tables: Vec::new(),
            tags: Vec::new(),
            log: None,
            export_dynamic: false,
            cli_exports: Vec::new(),
            tls_base: None,
            pic_bases: None,
            shared_memory: false,
            wasm64: false,
            pic: false,
        },
        n_cmd: 0,
        defs: HashMap::new(),
        strong_refs: HashSet::new(),
        segment_counter: 0,
        pic: false,
        library: None,
    };
    g.run();
    g.p
}

/// Builds a program from raw bytes (the proptest strategy and fuzz targets use this).
pub fn program_from_bytes(bytes: &[u8]) -> Program {
    generate(&mut Unstructured::new(bytes))
}

impl<'a> Arbitrary<'a> for Program {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(generate(u))
    }
}

impl Gen<'_, '_> {
    fn run(&mut self) {
        self.pic = self.cfg.pic && self.s.chance(1, 3);
        self.n_cmd = self.s.int(1, 4) as usize;
        if self.pic && self.n_cmd >= 2 && self.s.chance(1, 2) {
            self.library = Some(ObjId(self.n_cmd as u32 - 1));
        }
        let n_mem = self.s.int(0, 3) as usize;
        for i in 0..self.n_cmd + n_mem {
            self.p
                .objects
                .push(Object::new(format!("o{i}.o"), i >= self.n_cmd));
        }
        // Phase 1: names and definitions.
        let n_ctors = self.s.int(0, 5);
        if n_ctors > 0 || self.s.chance(1, 4) {
            self.declare_log();
        }
        let n_globals = if self.cfg.defined_globals {
            self.s.int(0, 4)
        } else {
            0
        };
        for _ in 0..n_globals {
            self.declare_global();
        }
        if self.s.chance(1, 3) {
            let i = self.p.globals.len();
            self.p.globals.push(GlobalDecl {
                // wasm-ld imports an undefined global only under an explicit import name.
                name: format!("hostglobal{i}"),
                ty: ValType::I64,
                mutable: false,
                hidden: false,
                host: Some(("host", "hg0", 0x5eed_0000_0001)),
                linker: false,
            });
        }
        let n_tables = if self.cfg.defined_tables {
            self.s.int(0, 2)
        } else {
            0
        };
        for _ in 0..n_tables {
            let t = TableId(self.p.tables.len() as u32);
            self.p.tables.push(TableDecl {
                name: format!("t{}", t.0),
            });
            let o = self.any_obj();
            let local = self.s.chance(1, 3);
            let min = self.s.int(1, 4);
            let b = Binding {
                local,
                ..Binding::default()
            };
            self.p.objects[o.idx()].tables.push(TableDef {
                table: t,
                binding: b,
                min,
            });
            self.add_def(Sym::Table(t), o, b);
        }
        for _ in 0..self.s.int(0, 6) {
            self.declare_plain_data();
        }
        for _ in 0..self.s.int(0, 1) {
            let d = self.new_data(DataKind::Plain, 4, false, "wd");
            let _ = d; // weak undefined: no definition anywhere
        }
        for o in 0..self.p.objects.len() {
            for _ in 0..self.s.int(0, 2) {
                self.declare_strings(ObjId(o as u32));
            }
        }
        if self.s.chance(1, 3) {
            // The linker's own global, as DWARF frame bases use it.
            self.p.globals.push(GlobalDecl {
                name: "__stack_pointer".into(),
                ty: ValType::I32,
                mutable: true,
                hidden: true,
                host: None,
                linker: true,
            });
        }
        // LLVM's object reader (llvm-objdump, wasm-ld) crashes on an ABSOLUTE symbol in an
        // object without data segments: only objects with segments get one.
        let with_segments: Vec<u32> = (0..self.n_cmd as u32)
            .filter(|&o| !self.p.objects[o as usize].segments.is_empty())
            .collect();
        if self.cfg.absolute_symbols
            && !self.pic
            && !with_segments.is_empty()
            && self.s.chance(1, 3)
        {
            let addr = 0x100 + 16 * self.s.int(0, 64);
            let d = self.new_data(DataKind::Abs(addr), 0, false, "abs");
            let o = ObjId(self.s.pick(&with_segments));
            let b = Binding::default();
            self.p.objects[o.idx()].abs_datas.push((d, b));
            self.add_def(Sym::Data(d), o, b);
        }
        if self.cfg.tls && !self.pic && self.s.chance(1, 3) {
            for _ in 0..self.s.int(1, 3) {
                self.declare_tls_data();
            }
        }
        if self.cfg.rel && self.s.chance(1, 3) {
            // PIC code's bases, read as globals: outside PIC the linker defines them as data
            // symbols (0 and the table base) reached through GOT globals.
            let m = GlobalId(self.p.globals.len() as u32);
            for name in ["__memory_base", "__table_base"] {
                self.p.globals.push(GlobalDecl {
                    name: name.into(),
                    ty: ValType::I32,
                    mutable: false,
                    hidden: false,
                    host: None,
                    linker: true,
                });
            }
            self.p.pic_bases = Some((m, GlobalId(m.0 + 1)));
        }
        for i in 0..self.s.int(0, 2) {
            let (module, field) = [("host", "h0"), ("host", "h1")][i as usize];
            let f = FuncId(self.p.funcs.len() as u32);
            self.p.funcs.push(FuncDecl {
                // wasm-ld imports an undefined function only under an explicit import name
                // (LLVM always writes one with `import_module`).
                name: format!("hostfn{}", f.0),
                sig: Sig::Nullary,
                role: FuncRole::Host { module, field },
                hidden: false,
            });
        }
        let n_funcs = self.s.int(1, 8);
        for _ in 0..n_funcs {
            self.declare_value_func();
        }
        if self.n_cmd >= 2 && self.s.chance(1, 2) {
            self.declare_comdat();
        }
        for _ in 0..self.s.int(0, 2) {
            self.new_func("wf", Sig::Nullary, FuncRole::Value, false);
        }
        if self.s.chance(1, 3) {
            self.declare_tags();
        }
        for _ in 0..n_ctors {
            self.declare_ctor();
        }
        let n_checks = self.s.int(1, 5);
        for _ in 0..n_checks {
            let o = self.cmd_obj();
            // The runner calls a check function by its export.
            let hidden = Some(o) != self.library && self.s.chance(1, 4);
            let f = self.new_func("check_", Sig::Nullary, FuncRole::Check, hidden);
            let b = Binding {
                exported: !hidden && self.s.chance(1, 3),
                ..Binding::default()
            };
            self.p.objects[o.idx()].funcs.push(FuncDef {
                func: f,
                binding: b,
                body: Body::Value {
                    base: 0,
                    probes: Vec::new(),
                },
            });
            self.add_def(Sym::Func(f), o, b);
            if !b.exported {
                self.p.cli_exports.push(Sym::Func(f));
            }
        }
        for _ in 0..self.s.int(0, 3) {
            self.declare_ptr_segment();
        }

        // Phase 2: references.
        self.fill_ptr_segments();
        self.fill_bodies();
        self.fill_ctors();
        for o in 0..self.n_cmd {
            if self.s.chance(1, 2) {
                self.customs(ObjId(o as u32));
            }
        }
        self.p.export_dynamic = self.s.chance(1, 5);
        for _ in 0..self.s.int(0, 2) {
            self.cli_export();
        }
        self.p.shared_memory = self.cfg.shared_memory && !self.pic && self.s.chance(1, 4);
        self.p.wasm64 = self.cfg.wasm64 && !self.pic && self.s.chance(1, 4);
        self.p.pic = self.pic && pic_eligible(&self.p);
    }

    /// The linker's globals whose values the oracle does not model.
    fn linker_chosen(&self, g: GlobalId) -> bool {
        Some(g) == self.p.tls_base || self.p.pic_bases.is_some_and(|(m, t)| g == m || g == t)
    }

    fn cmd_obj(&mut self) -> ObjId {
        ObjId(self.s.int(0, self.n_cmd as u32 - 1))
    }

    fn member(&mut self) -> Option<ObjId> {
        let n = self.p.objects.len();
        (n > self.n_cmd).then(|| ObjId(self.s.int(self.n_cmd as u32, n as u32 - 1)))
    }

    fn any_obj(&mut self) -> ObjId {
        ObjId(self.s.int(0, self.p.objects.len() as u32 - 1))
    }

    fn add_def(&mut self, sym: Sym, o: ObjId, b: Binding) {
        self.defs.entry(sym).or_default().push((o, b));
    }

    fn new_func(&mut self, prefix: &str, sig: Sig, role: FuncRole, hidden: bool) -> FuncId {
        let f = FuncId(self.p.funcs.len() as u32);
        self.p.funcs.push(FuncDecl {
            name: format!("{prefix}{}", f.0),
            sig,
            role,
            hidden,
        });
        f
    }

    fn new_data(&mut self, kind: DataKind, size: u32, hidden: bool, prefix: &str) -> DataId {
        let d = DataId(self.p.datas.len() as u32);
        self.p.datas.push(DataDecl {
            name: format!("{prefix}{}", d.0),
            kind,
            size,
            hidden,
        });
        d
    }

    /// Chooses where a name is defined: a list of (object, binding), never empty.
    fn place(&mut self) -> Vec<(ObjId, Binding)> {
        let weak = Binding {
            weak: true,
            ..Binding::default()
        };
        let strong = Binding::default();
        let kind = [
            Placement::StrongCmd,
            Placement::StrongCmd,
            Placement::StrongMember,
            Placement::WeakThenStrong,
            Placement::WeakCmdStrongMember,
            Placement::WeakOnly,
            Placement::WeakMember,
            Placement::Local,
        ][self.s.int(0, 7) as usize];
        let mut out = match kind {
            Placement::StrongMember => match self.member() {
                Some(m) => vec![(m, strong)],
                None => vec![(self.cmd_obj(), strong)],
            },
            Placement::WeakThenStrong if self.n_cmd >= 2 => {
                let a = self.cmd_obj();
                let b = ObjId((a.0 + self.s.int(1, self.n_cmd as u32 - 1)) % self.n_cmd as u32);
                vec![(a, weak), (b, strong)]
            }
            Placement::WeakCmdStrongMember => match self.member() {
                Some(m) => vec![(self.cmd_obj(), weak), (m, strong)],
                None => vec![(self.cmd_obj(), weak)],
            },
            Placement::WeakOnly => {
                let a = self.cmd_obj();
                let mut v = vec![(a, weak)];
                if self.n_cmd >= 2 && self.s.chance(1, 2) {
                    let b = ObjId((a.0 + self.s.int(1, self.n_cmd as u32 - 1)) % self.n_cmd as u32);
                    v.push((b, weak));
                }
                v
            }
            Placement::WeakMember => match self.member() {
                Some(m) => vec![(m, weak)],
                None => vec![(self.cmd_obj(), weak)],
            },
            Placement::Local => {
                let o = self.any_obj();
                vec![(
                    o,
                    Binding {
                        local: true,
                        ..Binding::default()
                    },
                )]
            }
            _ => vec![(self.cmd_obj(), strong)],
        };
        // The library object defines its names alone.
        if out.len() > 1 {
            out.retain(|&(o, _)| Some(o) != self.library);
        }
        // EXPORTED and NO_STRIP only on names with a single definition, so that which
        // definition's flags count never matters.
        if out.len() == 1 {
            let b = &mut out[0].1;
            b.no_strip = self.s.chance(1, 6);
            b.exported = !b.local && self.s.chance(1, 8);
        }
        out
    }

    fn declare_log(&mut self) {
        // The library's constructors write it from the other module.
        let hidden = self.library.is_none();
        let d = self.new_data(DataKind::Log, 16, hidden, "ctor_log");
        let o = ObjId(0);
        let b = Binding::default();
        self.p.objects[0].segments.push(Segment {
            name: ".bss.ctor_log".into(),
            align_log2: 3,
            strings: false,
            retain: false,
            tls: false,
            bytes: vec![0; 16],
            symbols: vec![DataSymDef {
                data: d,
                offset: 0,
                binding: b,
            }],
            relocs: Vec::new(),
        });
        self.add_def(Sym::Data(d), o, b);
        self.p.log = Some(d);
    }

    fn declare_global(&mut self) {
        let g = GlobalId(self.p.globals.len() as u32);
        let ty = if self.s.chance(1, 2) {
            ValType::I32
        } else {
            ValType::I64
        };
        let mutable = self.s.chance(1, 2);
        let hidden = self.s.chance(1, 3);
        self.p.globals.push(GlobalDecl {
            name: format!("g{}", g.0),
            ty,
            mutable,
            hidden,
            host: None,
            linker: false,
        });
        for (o, mut b) in self.place() {
            // A library's weak global is imported too, and wasm-ld-22 names it twice in the
            // name section, which it then rejects reading the library (spec/dynamic.md).
            if Some(o) == self.library {
                b.weak = false;
            }
            let init = self.s.i64();
            self.p.objects[o.idx()].globals.push(GlobalDef {
                global: g,
                binding: b,
                init,
            });
            self.add_def(Sym::Global(g), o, b);
        }
    }

    /// Segment contents: an 8-byte marker unique in the program (so that gc can be observed
    /// in the output's data), then arbitrary bytes.
    fn contents(&mut self, size: u32) -> Vec<u8> {
        self.segment_counter += 1;
        let c = self.segment_counter.to_le_bytes();
        let mut v = vec![0xa5, 0x5a, c[0], c[1], 0xc3, 0x3c, 0x96, 0x69];
        v.truncate(size as usize);
        while v.len() < size as usize {
            let b = self.s.byte();
            v.push(b);
        }
        v
    }

    /// Thread-local data: a `.tdata` (or zero `.tbss`) segment with the TLS flag, defined once,
    /// strongly, by a command-line object, since a TLS relocation must resolve (wasm-ld rejects
    /// one against an undefined symbol); and `__tls_base`, the linker's global TLS loads add to.
    fn declare_tls_data(&mut self) {
        let bss = self.s.chance(1, 3);
        let size = self.s.int(1, 16);
        let hidden = self.s.chance(1, 2);
        let d = self.new_data(DataKind::Tls, size, hidden, "tl");
        let o = self.cmd_obj();
        let b = Binding::default();
        let bytes = if bss {
            vec![0; size as usize]
        } else {
            self.contents(size)
        };
        let align_log2 = self.s.int(0, 3);
        let prefix = if bss { ".tbss" } else { ".tdata" };
        self.p.objects[o.idx()].segments.push(Segment {
            name: format!("{prefix}.tl{}", d.0),
            align_log2,
            strings: false,
            retain: false,
            tls: true,
            bytes,
            symbols: vec![DataSymDef {
                data: d,
                offset: 0,
                binding: b,
            }],
            relocs: Vec::new(),
        });
        self.add_def(Sym::Data(d), o, b);
        if self.p.tls_base.is_none() {
            self.p.tls_base = Some(GlobalId(self.p.globals.len() as u32));
            self.p.globals.push(GlobalDecl {
                name: "__tls_base".into(),
                ty: ValType::I32,
                mutable: true,
                hidden: false,
                host: None,
                linker: true,
            });
        }
    }

    fn declare_plain_data(&mut self) {
        let bss = self.s.chance(1, 4);
        let size = self.s.int(1, 24);
        let hidden = self.s.chance(1, 3);
        let kind = if bss { DataKind::Bss } else { DataKind::Plain };
        let d = self.new_data(kind, size, hidden, "d");
        let placement = self.place();
        let align_log2 = self.s.int(0, 3);
        let retain = self.s.chance(1, 6);
        let prefix = if bss {
            ".bss"
        } else if self.s.chance(1, 2) {
            ".rodata"
        } else {
            ".data"
        };
        // A second symbol inside the same segment, for single definitions.
        let inner = if self.cfg.offset_data_symbols
            && placement.len() == 1
            && size >= 2
            && self.s.chance(1, 4)
        {
            let off = self.s.int(1, size - 1);
            let isize = self.s.int(1, size - off);
            let e = self.new_data(kind, isize, hidden, "d");
            Some((e, off))
        } else {
            None
        };
        for (o, b) in placement {
            let bytes = if bss {
                vec![0; size as usize]
            } else {
                self.contents(size)
            };
            let mut symbols = vec![DataSymDef {
                data: d,
                offset: 0,
                binding: b,
            }];
            if let Some((e, off)) = inner {
                let eb = Binding {
                    local: b.local,
                    ..Binding::default()
                };
                symbols.push(DataSymDef {
                    data: e,
                    offset: off,
                    binding: eb,
                });
                self.add_def(Sym::Data(e), o, eb);
            }
            self.p.objects[o.idx()].segments.push(Segment {
                name: format!("{prefix}.d{}", d.0),
                align_log2,
                strings: false,
                retain,
                tls: false,
                bytes,
                symbols,
                relocs: Vec::new(),
            });
            self.add_def(Sym::Data(d), o, b);
        }
    }

    fn declare_strings(&mut self, o: ObjId) {
        let mut seg = Segment {
            name: ".rodata.str1.1".into(),
            align_log2: 0,
            strings: true,
            retain: false,
            tls: false,
            bytes: Vec::new(),
            symbols: Vec::new(),
            relocs: Vec::new(),
        };
        let n = if self.cfg.offset_data_symbols {
            self.s.int(1, 3)
        } else {
            1
        };
        for _ in 0..n {
            let text = self.s.pick(STRINGS);
            let d = self.new_data(DataKind::Str, text.len() as u32 + 1, true, "s");
            let b = Binding {
                local: self.s.chance(1, 2),
                ..Binding::default()
            };
            seg.symbols.push(DataSymDef {
                data: d,
                offset: seg.bytes.len() as u32,
                binding: b,
            });
            seg.bytes.extend_from_slice(text.as_bytes());
            seg.bytes.push(0);
            self.add_def(Sym::Data(d), o, b);
        }
        self.p.objects[o.idx()].segments.push(seg);
    }

    fn declare_value_func(&mut self) {
        let sig = if self.s.chance(1, 4) {
            Sig::Unary
        } else {
            Sig::Nullary
        };
        let hidden = self.s.chance(1, 3);
        let f = self.new_func("f", sig, FuncRole::Value, hidden);
        for (o, b) in self.place() {
            self.p.objects[o.idx()].funcs.push(FuncDef {
                func: f,
                binding: b,
                body: Body::Value {
                    base: 0,
                    probes: Vec::new(),
                },
            });
            self.add_def(Sym::Func(f), o, b);
        }
    }

    fn declare_comdat(&mut self) {
        let f = self.new_func("cf", Sig::Nullary, FuncRole::Value, false);
        let with_data = self.s.chance(1, 2);
        let d = with_data.then(|| {
            let size = self.s.int(8, 16);
            self.new_data(DataKind::Plain, size, false, "cd")
        });
        let name = format!("comdat{}", f.0);
        let copies = self.s.int(2, self.n_cmd.min(3) as u32);
        let first = self.s.int(0, self.n_cmd as u32 - 1);
        let weak = Binding {
            weak: true,
            ..Binding::default()
        };
        for k in 0..copies {
            let o = ObjId((first + k) % self.n_cmd as u32);
            if Some(o) == self.library {
                continue;
            }
            let obj = &mut self.p.objects[o.idx()];
            obj.funcs.push(FuncDef {
                func: f,
                binding: weak,
                body: Body::Value {
                    base: 0,
                    probes: Vec::new(),
                },
            });
            let mut c = Comdat {
                name: name.clone(),
                funcs: vec![obj.funcs.len() - 1],
                segments: Vec::new(),
            };
            if let Some(d) = d {
                let size = self.p.datas[d.idx()].size;
                let bytes = self.contents(size);
                let obj = &mut self.p.objects[o.idx()];
                obj.segments.push(Segment {
                    name: format!(".rodata.cd{}", d.0),
                    align_log2: 0,
                    strings: false,
                    retain: false,
                    tls: false,
                    bytes,
                    symbols: vec![DataSymDef {
                        data: d,
                        offset: 0,
                        binding: weak,
                    }],
                    relocs: Vec::new(),
                });
                c.segments.push(obj.segments.len() - 1);
                self.add_def(Sym::Data(d), o, weak);
            }
            self.p.objects[o.idx()].comdats.push(c);
            self.add_def(Sym::Func(f), o, weak);
        }
    }

    fn declare_tags(&mut self) {
        for _ in 0..self.s.int(1, 2) {
            let t = TagId(self.p.tags.len() as u32);
            self.p.tags.push(TagDecl {
                name: format!("tag{}", t.0),
            });
            let o = self.cmd_obj();
            let b = Binding::default();
            self.p.objects[o.idx()].tags.push((t, b));
            self.add_def(Sym::Tag(t), o, b);
            // One thrower in some command-line object (maybe another one: a tag import).
            let mut u = self.cmd_obj();
            if self.crosses(o, u) {
                u = o;
            }
            let f = self.new_func("throw", Sig::Thrower, FuncRole::Thrower, true);
            self.p.objects[u.idx()].funcs.push(FuncDef {
                func: f,
                binding: b,
                body: Body::Throw(t),
            });
            self.add_def(Sym::Func(f), u, b);
            self.strong_refs.insert((u, Sym::Tag(t)));
        }
    }

    fn declare_ctor(&mut self) {
        let o = self.any_obj();
        let in_member = self.p.objects[o.idx()].in_archive;
        let f = self.new_func("ctor", Sig::Ctor, FuncRole::Ctor, true);
        let n = self.p.funcs.len() as u32;
        // Ties between members would depend on extraction order: members get priorities of
        // their own, unique in the program.
        let priority = if in_member {
            1000 + n
        } else if Some(o) == self.library {
            // Before every other: a loader runs the library's constructors first.
            50
        } else {
            self.s.pick(&[100, 200, 200, 65535])
        };
        let b = Binding {
            local: true,
            ..Binding::default()
        };
        let log_id = self.p.objects.iter().map(|o| o.ctors.len()).sum::<usize>() as u8 + 1;
        let obj = &mut self.p.objects[o.idx()];
        obj.funcs.push(FuncDef {
            func: f,
            binding: b,
            body: Body::Ctor {
                log_id,
                updates: Vec::new(),
            },
        });
        obj.ctors.push((priority, f));
        self.add_def(Sym::Func(f), o, b);
    }

    fn declare_ptr_segment(&mut self) {
        let o = self.any_obj();
        let n_slots = self.s.int(1, 3);
        let d = self.new_data(DataKind::Ptr, 8 * n_slots, false, "p");
        let b = Binding {
            local: self.s.chance(1, 3),
            ..Binding::default()
        };
        self.p.objects[o.idx()].segments.push(Segment {
            name: format!(".data.p{}", d.0),
            align_log2: 3,
            strings: false,
            retain: false,
            tls: false,
            bytes: vec![0; 8 * n_slots as usize],
            symbols: vec![DataSymDef {
                data: d,
                offset: 0,
                binding: b,
            }],
            relocs: Vec::new(),
        });
        self.add_def(Sym::Data(d), o, b);
    }

    // ---- references ----

    fn defs_of(&self, sym: Sym) -> &[(ObjId, Binding)] {
        self.defs.get(&sym).map(Vec::as_slice).unwrap_or(&[])
    }

    fn visible(&self, o: ObjId, sym: Sym) -> bool {
        match self.defs_of(sym).iter().find(|(_, b)| b.local) {
            Some(&(d, _)) => d == o,
            None => !self.crosses_split(o, sym),
        }
    }

    /// Whether objects `a` and `b` would be in different modules when the library object is
    /// moved.
    fn crosses(&self, a: ObjId, b: ObjId) -> bool {
        self.library.is_some_and(|l| (a == l) != (b == l))
    }

    /// Whether `o` using `sym` would be a use across modules that modules cannot share
    /// (see [`Gen::library`]).
    fn crosses_split(&self, o: ObjId, sym: Sym) -> bool {
        let Some(lib) = self.library else {
            return false;
        };
        let defs = self.defs_of(sym);
        let across = defs.iter().any(|&(d, _)| self.crosses(o, d));
        let internal = match sym {
            Sym::Global(g) => !self.is_host(Sym::Global(g)),
            Sym::Table(_) | Sym::Tag(_) => true,
            Sym::Func(_) | Sym::Data(_) => self.p.hidden(sym),
        };
        let from_member = o == lib
            && defs
                .iter()
                .any(|&(d, _)| self.p.objects[d.idx()].in_archive);
        (across && internal) || from_member
    }

    /// Whether a `__memory_base`/`__table_base`-relative address of `sym` taken in `o` could
    /// reach into the other module, or, in the library, a name another module could preempt
    /// (a shared library reaches those through the GOT: compilers use relative addresses
    /// only for names bound in the module, hidden or local).
    fn rel_crosses(&self, o: ObjId, sym: Sym) -> bool {
        let defs = self.defs_of(sym);
        let preemptible = !self.p.hidden(sym) && defs.iter().any(|(_, b)| !b.local);
        defs.iter().any(|&(d, _)| self.crosses(o, d)) || (Some(o) == self.library && preemptible)
    }

    fn is_host(&self, sym: Sym) -> bool {
        match sym {
            Sym::Func(f) => matches!(self.p.funcs[f.idx()].role, FuncRole::Host { .. }),
            Sym::Global(g) => {
                let d = &self.p.globals[g.idx()];
                d.host.is_some() || d.linker
            }
            _ => false,
        }
    }

    /// How object `o` refers to `sym`: `Some(weak)`, or `None` when a strong reference is needed
    /// but impossible. The first reference decides for the whole object.
    fn mode(&mut self, o: ObjId, sym: Sym, need_strong: bool) -> Option<bool> {
        if !self.visible(o, sym) {
            return None;
        }
        if self.p.objects[o.idx()].defines(sym) || self.strong_refs.contains(&(o, sym)) {
            return Some(false);
        }
        if self.p.objects[o.idx()].weak_refs.contains(&sym) {
            return (!need_strong).then_some(true);
        }
        let can_strong = !self.defs_of(sym).is_empty() || self.is_host(sym);
        let weak = !can_strong || (!need_strong && self.s.chance(1, 5));
        if weak && need_strong {
            return None;
        }
        if weak {
            self.p.objects[o.idx()].weak_refs.insert(sym);
        } else {
            self.strong_refs.insert((o, sym));
        }
        Some(weak)
    }

    fn datas_where(&self, f: impl Fn(&DataDecl) -> bool) -> Vec<DataId> {
        (0..self.p.datas.len())
            .filter(|&i| f(&self.p.datas[i]))
            .map(|i| DataId(i as u32))
            .collect()
    }

    fn readable(kind: DataKind) -> bool {
        matches!(kind, DataKind::Plain | DataKind::Bss | DataKind::Str)
    }

    fn fill_ptr_segments(&mut self) {
        for oi in 0..self.p.objects.len() {
            let o = ObjId(oi as u32);
            for si in 0..self.p.objects[oi].segments.len() {
                let seg = &self.p.objects[oi].segments[si];
                let Some(sym) = seg.symbols.first() else {
                    continue;
                };
                if self.p.datas[sym.data.idx()].kind != DataKind::Ptr {
                    continue;
                }
                let n_slots = seg.bytes.len() / 8;
                let mut relocs = Vec::new();
                for slot in 0..n_slots {
                    let at = 8 * slot as u32;
                    if let Some(mut kind) = self.ptr_field(o) {
                        // A 4-byte field sits at either half of its 8-byte slot.
                        let off = if kind.width() == 4 && self.s.chance(1, 2) {
                            at + 4
                        } else {
                            at
                        };
                        if let DataRelocKind::Locrel { target, addend } = kind
                            && off != 0
                            && !self.cfg.locrel_at_offset
                        {
                            kind = DataRelocKind::MemAddr {
                                target,
                                addend,
                                wide: false,
                            };
                        }
                        relocs.push(DataReloc { offset: off, kind });
                    }
                }
                self.p.objects[oi].segments[si].relocs = relocs;
            }
        }
    }

    fn ptr_field(&mut self, o: ObjId) -> Option<DataRelocKind> {
        for _ in 0..4 {
            match self.s.int(0, 2) {
                0 | 1 => {
                    let cands = self.datas_where(|d| Self::readable(d.kind));
                    if cands.is_empty() {
                        continue;
                    }
                    let target = self.s.pick(&cands);
                    let size = self.p.datas[target.idx()].size;
                    let addend = self.s.int(0, size - 1);
                    let locrel = !self.pic && self.s.chance(1, 3);
                    let weak = self.mode(o, Sym::Data(target), locrel);
                    match weak {
                        None => continue,
                        Some(_) if locrel => {
                            return Some(DataRelocKind::Locrel { target, addend });
                        }
                        Some(weak) => {
                            // A load-time relocation adds the addend to a missing weak
                            // symbol's 0, where a static link stores 0 (spec/dynamic.md): the
                            // oracle models the static link.
                            let addend = if self.pic && weak { 0 } else { addend };
                            let wide = !self.pic && self.s.chance(1, 2);
                            return Some(DataRelocKind::MemAddr {
                                target,
                                addend,
                                wide,
                            });
                        }
                    }
                }
                _ => {
                    let cands: Vec<FuncId> = (0..self.p.funcs.len())
                        .map(|i| FuncId(i as u32))
                        .filter(|f| {
                            let d = &self.p.funcs[f.idx()];
                            d.sig == Sig::Nullary
                                && matches!(d.role, FuncRole::Value | FuncRole::Host { .. })
                        })
                        .collect();
                    if cands.is_empty() {
                        continue;
                    }
                    let func = self.s.pick(&cands);
                    if self.mode(o, Sym::Func(func), false).is_none() {
                        continue;
                    }
                    let wide = !self.pic && self.s.chance(1, 2);
                    return Some(DataRelocKind::TableIndex { func, wide });
                }
            }
        }
        None
    }

    fn fill_bodies(&mut self) {
        for oi in 0..self.p.objects.len() {
            for fi in 0..self.p.objects[oi].funcs.len() {
                let f = self.p.objects[oi].funcs[fi].func;
                let role = self.p.funcs[f.idx()].role;
                let (n, rank, in_check) = match role {
                    FuncRole::Value => (self.s.int(0, 3), f.idx(), false),
                    FuncRole::Check => (self.s.int(1, 5), usize::MAX, true),
                    _ => continue,
                };
                let o = ObjId(oi as u32);
                let base = self.s.i64();
                let mut probes = Vec::new();
                // Some checks are expected to trap: one direct call to a weak reference.
                if in_check
                    && self.s.chance(1, 6)
                    && let Some(p) = self.trap_probe(o)
                {
                    probes.push(p);
                }
                if probes.is_empty() {
                    for _ in 0..n {
                        if let Some(p) = self.probe(o, rank, in_check) {
                            probes.push(p);
                        }
                    }
                }
                self.p.objects[oi].funcs[fi].body = Body::Value { base, probes };
            }
        }
    }

    fn callable(&self, o: ObjId, rank: usize) -> Vec<FuncId> {
        (0..self.p.funcs.len().min(rank))
            .map(|i| FuncId(i as u32))
            .filter(|f| {
                matches!(
                    self.p.funcs[f.idx()].role,
                    FuncRole::Value | FuncRole::Host { .. }
                ) && self.visible(o, Sym::Func(*f))
            })
            .collect()
    }

    fn trap_probe(&mut self, o: ObjId) -> Option<Probe> {
        let cands: Vec<FuncId> = self
            .callable(o, usize::MAX)
            .into_iter()
            .filter(|f| self.p.funcs[f.idx()].sig == Sig::Nullary)
            .collect();
        if cands.is_empty() {
            return None;
        }
        let func = self.s.pick(&cands);
        // A call through a weak reference may trap (if nothing defines it) or not.
        match self.mode(o, Sym::Func(func), false) {
            Some(true) => Some(Probe::Call { func, arg: 0 }),
            _ => None,
        }
    }

    fn probe(&mut self, o: ObjId, rank: usize, in_check: bool) -> Option<Probe> {
        for _ in 0..4 {
            if let Some(p) = self.try_probe(o, rank, in_check) {
                return Some(p);
            }
        }
        None
    }

    fn try_probe(&mut self, o: ObjId, rank: usize, in_check: bool) -> Option<Probe> {
        let kind = self.s.int(0, 12);
        match kind {
            0 | 1 => {
                let cands = self.callable(o, rank);
                if cands.is_empty() {
                    return None;
                }
                let func = self.s.pick(&cands);
                let arg = self.s.i64();
                let weak = self.mode(o, Sym::Func(func), false)?;
                if weak || kind == 1 {
                    let wide = self.s.chance(1, 3);
                    // Relative to `__table_base`, for strong references only: a missing
                    // function's 0 plus the base would not be null.
                    // Nor host functions: wasm-ld rejects a relative address of an import.
                    let rel = !weak
                        && !self.is_host(Sym::Func(func))
                        && !self.rel_crosses(o, Sym::Func(func))
                        && self.p.pic_bases.is_some()
                        && self.s.chance(1, 3);
                    if rel {
                        self.mode(o, Sym::Global(self.p.pic_bases?.1), true)?;
                    }
                    Some(Probe::CallIndirect {
                        func,
                        arg,
                        wide,
                        rel,
                    })
                } else {
                    Some(Probe::Call { func, arg })
                }
            }
            2 => {
                let cands = self.callable(o, usize::MAX);
                if cands.is_empty() {
                    return None;
                }
                let func = self.s.pick(&cands);
                self.mode(o, Sym::Func(func), false)?;
                Some(Probe::FuncIsNull { func })
            }
            3..=5 => {
                let cands = self.datas_where(|d| Self::readable(d.kind));
                if cands.is_empty() {
                    return None;
                }
                let data = self.s.pick(&cands);
                let size = self.p.datas[data.idx()].size;
                let widths: Vec<u8> = [1u8, 2, 4, 8]
                    .into_iter()
                    .filter(|&w| w as u32 <= size)
                    .collect();
                let width = self.s.pick(&widths);
                let offset = self.s.int(0, size - width as u32);
                let mut vias = vec![
                    AddrVia::MemArg,
                    AddrVia::MemArg64,
                    AddrVia::Const,
                    AddrVia::Const64,
                ];
                if self.p.pic_bases.is_some() && !self.rel_crosses(o, Sym::Data(data)) {
                    vias.extend([AddrVia::MemRel, AddrVia::MemRel64]);
                }
                let via = self.s.pick(&vias);
                // wasm-ld rejects a relative address of an undefined symbol, even a weak one.
                let need_strong = matches!(
                    via,
                    AddrVia::MemArg | AddrVia::MemArg64 | AddrVia::MemRel | AddrVia::MemRel64
                );
                self.mode(o, Sym::Data(data), need_strong)?;
                if matches!(via, AddrVia::MemRel | AddrVia::MemRel64) {
                    self.mode(o, Sym::Global(self.p.pic_bases?.0), true)?;
                }
                Some(Probe::Load {
                    data,
                    offset,
                    width,
                    via,
                })
            }
            6 => {
                let cands = self.datas_where(|d| Self::readable(d.kind));
                if cands.is_empty() {
                    return None;
                }
                let data = self.s.pick(&cands);
                self.mode(o, Sym::Data(data), false)?;
                Some(Probe::DataIsNull { data })
            }
            7 => {
                let cands = self.datas_where(|d| matches!(d.kind, DataKind::Abs(_)));
                if cands.is_empty() {
                    return None;
                }
                let data = self.s.pick(&cands);
                self.mode(o, Sym::Data(data), true)?;
                Some(Probe::AbsAddr { data })
            }
            8 | 9 => {
                let cands = self.datas_where(|d| d.kind == DataKind::Ptr);
                if cands.is_empty() {
                    return None;
                }
                let slot = self.s.pick(&cands);
                // The slot has one definition: its fields are known.
                let &(def_obj, _) = self.defs_of(Sym::Data(slot)).first()?;
                let seg = self.p.objects[def_obj.idx()]
                    .segments
                    .iter()
                    .find(|s| s.symbols.iter().any(|d| d.data == slot))?;
                let fields: Vec<DataReloc> = seg
                    .relocs
                    .iter()
                    .filter(|r| match r.kind {
                        DataRelocKind::TableIndex { .. } => kind == 9 && in_check,
                        _ => kind == 8,
                    })
                    .cloned()
                    .collect();
                if fields.is_empty() {
                    return None;
                }
                let field = fields[self.s.int(0, fields.len() as u32 - 1) as usize].clone();
                self.mode(o, Sym::Data(slot), true)?;
                Some(match field.kind {
                    DataRelocKind::MemAddr { wide, .. } => Probe::LoadPtr {
                        slot,
                        offset: field.offset,
                        wide,
                    },
                    DataRelocKind::Locrel { .. } => Probe::LoadLocrel {
                        slot,
                        offset: field.offset,
                    },
                    DataRelocKind::TableIndex { wide, .. } => Probe::CallPtr {
                        slot,
                        offset: field.offset,
                        wide,
                    },
                })
            }
            10 => {
                if self.p.globals.is_empty() {
                    return None;
                }
                let global = GlobalId(self.s.int(0, self.p.globals.len() as u32 - 1));
                // `__tls_base`, `__memory_base` and `__table_base` hold values the linker
                // chooses: only TLS and REL probes read them.
                if self.linker_chosen(global) {
                    return None;
                }
                self.mode(o, Sym::Global(global), true)?;
                Some(Probe::GlobalGet { global })
            }
            11 if self.p.tls_base.is_some() && self.s.chance(1, 2) => {
                let cands = self.datas_where(|d| d.kind == DataKind::Tls);
                let data = self.s.pick(&cands);
                let size = self.p.datas[data.idx()].size;
                let widths: Vec<u8> = [1u8, 2, 4, 8]
                    .into_iter()
                    .filter(|&w| w as u32 <= size)
                    .collect();
                let width = self.s.pick(&widths);
                let offset = self.s.int(0, size - width as u32);
                let via = self
                    .s
                    .pick(&[AddrVia::Tls, AddrVia::Tls64, AddrVia::TlsGot]);
                self.mode(o, Sym::Data(data), true)?;
                self.mode(o, Sym::Global(self.p.tls_base?), true)?;
                Some(Probe::Load {
                    data,
                    offset,
                    width,
                    via,
                })
            }
            11 => {
                if self.p.tables.is_empty() {
                    return None;
                }
                let table = TableId(self.s.int(0, self.p.tables.len() as u32 - 1));
                self.mode(o, Sym::Table(table), true)?;
                Some(Probe::TableSize { table })
            }
            _ => {
                let d = self.p.log?;
                self.mode(o, Sym::Data(d), true)?;
                let part = self.s.int(0, 1) as u8;
                Some(Probe::CtorLog { part })
            }
        }
    }

    fn fill_ctors(&mut self) {
        let Some(d) = self.p.log else {
            return;
        };
        for oi in 0..self.p.objects.len() {
            let o = ObjId(oi as u32);
            for fi in 0..self.p.objects[oi].funcs.len() {
                if !matches!(self.p.objects[oi].funcs[fi].body, Body::Ctor { .. }) {
                    continue;
                }
                self.mode(o, Sym::Data(d), true);
                let mut ups = Vec::new();
                for _ in 0..self.s.int(0, 2) {
                    let cands: Vec<GlobalId> = (0..self.p.globals.len())
                        .map(|i| GlobalId(i as u32))
                        .filter(|&x| {
                            let d = &self.p.globals[x.idx()];
                            d.mutable && d.host.is_none() && !d.linker
                        })
                        .collect();
                    if cands.is_empty() {
                        break;
                    }
                    let x = self.s.pick(&cands);
                    if self.mode(o, Sym::Global(x), true).is_some() {
                        let k = self.s.int(0, 100) as i64;
                        ups.push((x, k));
                    }
                }
                if let Body::Ctor { updates, .. } = &mut self.p.objects[oi].funcs[fi].body {
                    *updates = ups;
                }
            }
        }
    }

    fn customs(&mut self, o: ObjId) {
        let with_abbrev = self.s.chance(2, 3);
        if with_abbrev {
            let n = self.s.int(1, 12);
            let bytes = (0..n).map(|_| self.s.byte()).collect();
            self.p.objects[o.idx()].customs.push(CustomSection {
                name: ".debug_abbrev".into(),
                section_symbol: true,
                fields: vec![CustomField::Bytes(bytes)],
            });
        }
        let names = [".debug_info", ".debug_ranges", "gen.meta"];
        for name in names {
            if !self.s.chance(1, 2) {
                continue;
            }
            let mut fields = Vec::new();
            for _ in 0..self.s.int(1, 5) {
                if self.s.chance(1, 3) {
                    let n = self.s.int(1, 3);
                    fields.push(CustomField::Bytes((0..n).map(|_| self.s.byte()).collect()));
                }
                let ranges = name == ".debug_ranges";
                if let Some(f) = self.custom_field(o, ranges) {
                    fields.push(f);
                }
            }
            self.p.objects[o.idx()].customs.push(CustomSection {
                name: name.into(),
                section_symbol: false,
                fields,
            });
        }
    }

    /// A custom-section field for object `o`, never naming something across the split: a
    /// custom section's relocation against a name a shared library input defines crashes
    /// wasm-ld-22 (spec/dynamic.md).
    fn custom_field(&mut self, o: ObjId, only_offsets: bool) -> Option<CustomField> {
        let field = self.any_custom_field(o, only_offsets)?;
        let sym = match field {
            CustomField::FuncOffset { func, .. } | CustomField::FuncIndex { func } => {
                Sym::Func(func)
            }
            CustomField::GlobalIndex { global } => Sym::Global(global),
            CustomField::MemAddr { data, .. } => Sym::Data(data),
            CustomField::Bytes(_) | CustomField::SectionOffset { .. } => return Some(field),
        };
        let across = self.defs_of(sym).iter().any(|&(d, _)| self.crosses(o, d));
        (!across).then_some(field)
    }

    fn any_custom_field(&mut self, o: ObjId, only_offsets: bool) -> Option<CustomField> {
        let kind = if only_offsets { 0 } else { self.s.int(0, 5) };
        match kind {
            0 | 1 => {
                let cands: Vec<FuncId> = (0..self.p.funcs.len())
                    .map(|i| FuncId(i as u32))
                    .filter(|&f| {
                        !self.defs_of(Sym::Func(f)).is_empty() && self.visible(o, Sym::Func(f))
                    })
                    .collect();
                if cands.is_empty() {
                    return None;
                }
                let func = self.s.pick(&cands);
                self.mode(o, Sym::Func(func), true)?;
                if kind == 1 {
                    return Some(CustomField::FuncIndex { func });
                }
                // The body starts with its locals declaration (3 bytes): the first
                // instruction is at addend 3.
                let addend = self.s.pick(&[0, crate::encode::LOCALS_DECL_LEN]);
                let wide = self.s.chance(1, 3);
                Some(CustomField::FuncOffset { func, addend, wide })
            }
            2 => {
                let s = self.p.objects[o.idx()]
                    .customs
                    .iter()
                    .position(|c| c.section_symbol)?;
                let size = self.p.objects[o.idx()].customs[s].size();
                let addend = self.s.int(0, size);
                Some(CustomField::SectionOffset { section: s, addend })
            }
            3 => {
                // Not host globals: what a relocation against an import used only here gives
                // is murky (both linkers write 0, not a tombstone). Nor `__tls_base`, which
                // the linker defines only when code uses it (both write 0 otherwise).
                let cands: Vec<GlobalId> = (0..self.p.globals.len())
                    .map(|i| GlobalId(i as u32))
                    .filter(|&g| self.p.globals[g.idx()].host.is_none())
                    .filter(|&g| !self.linker_chosen(g))
                    .collect();
                if cands.is_empty() {
                    return None;
                }
                let global = self.s.pick(&cands);
                self.mode(o, Sym::Global(global), true)?;
                Some(CustomField::GlobalIndex { global })
            }
            _ => {
                let cands = self.datas_where(|d| {
                    matches!(
                        d.kind,
                        DataKind::Plain | DataKind::Bss | DataKind::Str | DataKind::Abs(_)
                    )
                });
                let cands: Vec<DataId> = cands
                    .into_iter()
                    .filter(|&d| !self.defs_of(Sym::Data(d)).is_empty())
                    .collect();
                if cands.is_empty() {
                    return None;
                }
                let data = self.s.pick(&cands);
                self.mode(o, Sym::Data(data), true)?;
                let size = self.p.datas[data.idx()].size;
                let addend = if size == 0 {
                    0
                } else {
                    self.s.int(0, size - 1)
                };
                let wide = self.s.chance(1, 3);
                Some(CustomField::MemAddr { data, addend, wide })
            }
        }
    }

    fn cli_export(&mut self) {
        let mut cands: Vec<Sym> = Vec::new();
        for (i, f) in self.p.funcs.iter().enumerate() {
            if f.role == FuncRole::Value {
                cands.push(Sym::Func(FuncId(i as u32)));
            }
        }
        for (i, d) in self.p.datas.iter().enumerate() {
            if matches!(d.kind, DataKind::Plain | DataKind::Str) {
                cands.push(Sym::Data(DataId(i as u32)));
            }
        }
        for (i, g) in self.p.globals.iter().enumerate() {
            if g.host.is_none() && !g.linker {
                cands.push(Sym::Global(GlobalId(i as u32)));
            }
        }
        // `--export` needs a definition that is not local.
        cands.retain(|&s| {
            let d = self.defs_of(s);
            !d.is_empty() && d.iter().all(|(_, b)| !b.local)
        });
        if cands.is_empty() {
            return;
        }
        let s = self.s.pick(&cands);
        if !self.p.cli_exports.contains(&s) {
            self.p.cli_exports.push(s);
        }
    }
}

/// Whether `p` can be written as position-independent code and linked `-pie`: a wasm32
/// program without thread-local data or shared memory (whose PIC forms the runner's loader does
/// not set up), without `ABSOLUTE` symbols (which have no place relative to `__memory_base`),
/// without 8-byte pointers in data (wasm-ld-22 writes their load-time relocation with an
/// `i64.add` of the i32 `__memory_base`, an invalid module) and without `LOCREL` fields (no
/// load-time relocation writes them: "invalid runtime relocation type in data section"), and
/// without weak references to data that only an archive member defines.
pub fn pic_eligible(p: &Program) -> bool {
    let wide_pointer = p.objects.iter().flat_map(|o| &o.segments).any(|s| {
        s.relocs.iter().any(|r| {
            matches!(
                r.kind,
                DataRelocKind::MemAddr { wide: true, .. }
                    | DataRelocKind::TableIndex { wide: true, .. }
                    | DataRelocKind::Locrel { .. }
            )
        })
    });
    let absolute = p.datas.iter().any(|d| matches!(d.kind, DataKind::Abs(_)))
        || p.objects.iter().any(|o| !o.abs_datas.is_empty());
    let tls = p.tls_base.is_some() || p.datas.iter().any(|d| d.kind == DataKind::Tls);
    // A data symbol only weak references name, which an archive member defines: wasm-ld-22
    // keeps it lazy and imports it as `GOT.func.NAME`, the wrong kind (weld writes
    // `GOT.mem.NAME`; spec/dynamic.md).
    let lazy_weak_data = p.objects.iter().flat_map(|o| &o.weak_refs).any(|s| {
        matches!(s, Sym::Data(_))
            && p.objects
                .iter()
                .any(|o| o.in_archive && o.definitions().iter().any(|(d, _)| d == s))
    });
    !p.wasm64 && !p.shared_memory && !tls && !absolute && !wide_pointer && !lazy_weak_data
}
