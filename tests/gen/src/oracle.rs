//! The oracle: what a correct linker's output does, predicted from the model alone.
//!
//! [`Oracle::new`] resolves the program as wasm-ld 22 does (spec/resolution.md: archive
//! extraction by strong references, strong over weak, first weak in load order, first COMDAT
//! copy), computes liveness (spec/gc.md: roots, members live only once one of their definitions
//! is, their constructors and `RETAIN` segments with them), runs the constructors in priority
//! order, and evaluates each check function. It also lists structural expectations that
//! execution cannot observe: custom-section relocations, exports, which functions and data
//! segments survived garbage collection, and tag indices in the `throw`s of a second link.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::model::*;

/// Where a definition lives in its object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Loc {
    /// `Object::funcs[i]`.
    Func(usize),
    /// Symbol `j` of `Object::segments[i]`.
    Data(usize, usize),
    /// `Object::abs_datas[i]`.
    Abs(usize),
    /// `Object::globals[i]`.
    Global(usize),
    /// `Object::tables[i]`.
    Table(usize),
    /// `Object::tags[i]`.
    Tag(usize),
}

/// A garbage-collectable piece of an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Chunk {
    /// A function.
    Func(ObjId, usize),
    /// A data segment.
    Segment(ObjId, usize),
    /// A global.
    Global(ObjId, usize),
    /// A table.
    Table(ObjId, usize),
    /// A tag.
    Tag(ObjId, usize),
}

/// What running a check function gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It returned this value.
    Value(i64),
    /// It trapped.
    Trap,
}

/// The value of a relocated custom-section field, or how to check it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// Exactly this (tombstones, addends of dead targets, section offsets, absolute addresses).
    Exact(u64),
    /// Offset of the body of the function named so in the code section, plus the addend.
    FuncBody {
        /// Function name (in the `name` section).
        name: String,
        /// Addend.
        addend: u32,
    },
    /// Output index of the function named so.
    FuncIndex(String),
    /// Output index of the global named so.
    GlobalIndex(String),
    /// An address at which memory holds these bytes.
    DataAt(Vec<u8>),
}

/// A structural expectation about an output module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// A relocated field of an output custom section.
    Custom {
        /// Section name.
        section: String,
        /// Offset of the field in the output section's payload.
        offset: u32,
        /// 8 bytes instead of 4.
        wide: bool,
        /// Expected value.
        value: FieldValue,
        /// Which input field this is.
        what: String,
    },
    /// A function of this name is (or is not) in the output's `name` section.
    FuncPresent {
        /// Name.
        name: String,
        /// Present?
        present: bool,
    },
    /// These 8 marker bytes are (or are not) in the output's data.
    DataPresent {
        /// The marker.
        marker: [u8; 8],
        /// Present?
        present: bool,
        /// Which segment.
        what: String,
    },
    /// A model name is (or is not) exported, and what the export holds.
    Export {
        /// Name.
        name: String,
        /// Exported?
        present: bool,
        /// For data exports: memory content at the exported address (or the exact address).
        value: Option<FieldValue>,
    },
}

/// A structural expectation about the second link (tags): the `throw` in the exported
/// function `thrower` names the exported tag `tag`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrowExpect {
    /// Thrower function name.
    pub thrower: String,
    /// Tag name.
    pub tag: String,
}

/// The predictions for one program.
#[derive(Debug, Clone)]
pub struct Oracle {
    /// Objects loaded (command-line, or archive members extracted).
    pub loaded: Vec<bool>,
    /// Objects live (command-line, or members one of whose definitions is live).
    pub live_obj: Vec<bool>,
    /// The definition each non-local name resolves to.
    pub winner: HashMap<Sym, (ObjId, Loc)>,
    /// COMDAT groups dropped, by object and index into `Object::comdats`.
    pub comdat_dropped: HashSet<(ObjId, usize)>,
    /// Live chunks.
    pub live: HashSet<Chunk>,
    /// Host functions and globals that become imports.
    pub imported: HashSet<Sym>,
    /// Constructors in the order they run.
    pub ctor_order: Vec<(ObjId, FuncId, u32)>,
    /// The ctor log after the constructors ran.
    pub log: [u8; 16],
    /// Global values after the constructors ran.
    pub globals: HashMap<GlobalId, i64>,
    /// Each check function's expected outcome, by name, in `Program::checks` order.
    pub checks: Vec<(String, Outcome)>,
    /// Structural expectations for the main link.
    pub expects: Vec<Expect>,
    /// Expectations for the tag link (empty without throwers).
    pub throws: Vec<ThrowExpect>,
}

/// The value a host function returns: a hash of its field name.
pub fn host_value(field: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in field.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h as i64
}

fn defs_with_loc(o: &Object) -> Vec<(Sym, Binding, Loc)> {
    let mut out = Vec::new();
    for (i, f) in o.funcs.iter().enumerate() {
        out.push((Sym::Func(f.func), f.binding, Loc::Func(i)));
    }
    for (i, s) in o.segments.iter().enumerate() {
        for (j, d) in s.symbols.iter().enumerate() {
            out.push((Sym::Data(d.data), d.binding, Loc::Data(i, j)));
        }
    }
    for (i, &(d, b)) in o.abs_datas.iter().enumerate() {
        out.push((Sym::Data(d), b, Loc::Abs(i)));
    }
    for (i, g) in o.globals.iter().enumerate() {
        out.push((Sym::Global(g.global), g.binding, Loc::Global(i)));
    }
    for (i, t) in o.tables.iter().enumerate() {
        out.push((Sym::Table(t.table), t.binding, Loc::Table(i)));
    }
    for (i, &(t, b)) in o.tags.iter().enumerate() {
        out.push((Sym::Tag(t), b, Loc::Tag(i)));
    }
    out
}

fn chunk_of(o: ObjId, loc: Loc) -> Option<Chunk> {
    match loc {
        Loc::Func(i) => Some(Chunk::Func(o, i)),
        Loc::Data(i, _) => Some(Chunk::Segment(o, i)),
        Loc::Abs(_) => None,
        Loc::Global(i) => Some(Chunk::Global(o, i)),
        Loc::Table(i) => Some(Chunk::Table(o, i)),
        Loc::Tag(i) => Some(Chunk::Tag(o, i)),
    }
}

impl Oracle {
    /// Predicts everything for `p`.
    pub fn new(p: &Program) -> Oracle {
        let n = p.objects.len();
        let mut or = Oracle {
            loaded: p.objects.iter().map(|o| !o.in_archive).collect(),
            live_obj: vec![false; n],
            winner: HashMap::new(),
            comdat_dropped: HashSet::new(),
            live: HashSet::new(),
            imported: HashSet::new(),
            ctor_order: Vec::new(),
            log: [0; 16],
            globals: HashMap::new(),
            checks: Vec::new(),
            expects: Vec::new(),
            throws: Vec::new(),
        };
        or.extract(p);
        or.resolve(p);
        or.mark(p);
        or.run_ctors(p);
        for (f, o) in p.checks() {
            let name = p.funcs[f.idx()].name.clone();
            let out = match or.call(p, o, f, 0) {
                Ok(v) => Outcome::Value(v),
                Err(Trap) => Outcome::Trap,
            };
            or.checks.push((name, out));
        }
        or.structure(p);
        or
    }

    /// Archive extraction: a member is loaded when a loaded object (or `--export`) references
    /// strongly a name it defines that no command-line object defines.
    fn extract(&mut self, p: &Program) {
        let mut cmd_defined = HashSet::new();
        for o in p.objects.iter().filter(|o| !o.in_archive) {
            for (s, b, _) in defs_with_loc(o) {
                if !b.local {
                    cmd_defined.insert(s);
                }
            }
        }
        let strong_refs = |o: &Object| -> Vec<Sym> {
            o.references(p)
                .into_iter()
                .filter(|&s| !o.defines(s) && !o.weak_refs.contains(&s))
                .collect()
        };
        let mut wanted: HashSet<Sym> = p.cli_exports.iter().copied().collect();
        for (i, o) in p.objects.iter().enumerate() {
            if self.loaded[i] {
                wanted.extend(strong_refs(o));
            }
        }
        loop {
            let mut changed = false;
            for (i, o) in p.objects.iter().enumerate() {
                if self.loaded[i] {
                    continue;
                }
                let pulls = defs_with_loc(o)
                    .iter()
                    .any(|&(s, b, _)| !b.local && !cmd_defined.contains(&s) && wanted.contains(&s));
                if pulls {
                    self.loaded[i] = true;
                    wanted.extend(strong_refs(o));
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        // Host names become imports when some loaded object references them strongly.
        for s in wanted {
            let host = match s {
                Sym::Func(f) => matches!(p.funcs[f.idx()].role, FuncRole::Host { .. }),
                Sym::Global(g) => p.globals[g.idx()].host.is_some(),
                _ => false,
            };
            if host {
                self.imported.insert(s);
            }
        }
    }

    fn comdat_of(&self, p: &Program, o: ObjId, loc: Loc) -> Option<usize> {
        let obj = &p.objects[o.idx()];
        obj.comdats.iter().position(|c| match loc {
            Loc::Func(i) => c.funcs.contains(&i),
            Loc::Data(i, _) => c.segments.contains(&i),
            _ => false,
        })
    }

    fn dropped(&self, p: &Program, o: ObjId, loc: Loc) -> bool {
        self.comdat_of(p, o, loc)
            .is_some_and(|c| self.comdat_dropped.contains(&(o, c)))
    }

    /// Resolution: strong wins, else the first weak definition in load order (command-line
    /// objects first; a name has at most one member definition).
    fn resolve(&mut self, p: &Program) {
        let mut seen_groups = HashSet::new();
        for (i, o) in p.objects.iter().enumerate() {
            if !self.loaded[i] {
                continue;
            }
            for (c, g) in o.comdats.iter().enumerate() {
                if !seen_groups.insert(g.name.clone()) {
                    self.comdat_dropped.insert((ObjId(i as u32), c));
                }
            }
        }
        for (i, o) in p.objects.iter().enumerate() {
            if !self.loaded[i] {
                continue;
            }
            let oid = ObjId(i as u32);
            for (s, b, loc) in defs_with_loc(o) {
                if self.dropped(p, oid, loc) {
                    continue;
                }
                match self.winner.get(&s) {
                    None => {
                        self.winner.insert(s, (oid, loc));
                    }
                    Some(&(wo, wl)) => {
                        let cur_weak = self.binding(p, wo, wl).weak;
                        if cur_weak && !b.weak {
                            self.winner.insert(s, (oid, loc));
                        }
                    }
                }
            }
        }
    }

    fn binding(&self, p: &Program, o: ObjId, loc: Loc) -> Binding {
        let obj = &p.objects[o.idx()];
        match loc {
            Loc::Func(i) => obj.funcs[i].binding,
            Loc::Data(i, j) => obj.segments[i].symbols[j].binding,
            Loc::Abs(i) => obj.abs_datas[i].1,
            Loc::Global(i) => obj.globals[i].binding,
            Loc::Table(i) => obj.tables[i].binding,
            Loc::Tag(i) => obj.tags[i].1,
        }
    }

    /// The definition `sym` resolves to (local names resolve to their only definition, names
    /// are unique program-wide).
    pub fn target(&self, sym: Sym) -> Option<(ObjId, Loc)> {
        self.winner.get(&sym).copied()
    }

    fn chunk_refs(&self, p: &Program, c: Chunk) -> Vec<Sym> {
        match c {
            Chunk::Func(o, i) => {
                let f = &p.objects[o.idx()].funcs[i];
                match &f.body {
                    Body::Value { probes, .. } => {
                        probes.iter().flat_map(|x| x.symbols(p)).collect()
                    }
                    Body::Ctor { updates, .. } => {
                        let mut v: Vec<Sym> =
                            updates.iter().map(|&(g, _)| Sym::Global(g)).collect();
                        if let Some(d) = p.log {
                            v.push(Sym::Data(d));
                        }
                        v
                    }
                    Body::Throw(t) => vec![Sym::Tag(*t)],
                }
            }
            Chunk::Segment(o, i) => p.objects[o.idx()].segments[i]
                .relocs
                .iter()
                .map(|r| match r.kind {
                    DataRelocKind::MemAddr { target, .. }
                    | DataRelocKind::Locrel { target, .. } => Sym::Data(target),
                    DataRelocKind::TableIndex { func, .. } => Sym::Func(func),
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Liveness (spec/gc.md).
    fn mark(&mut self, p: &Program) {
        let mut roots: Vec<Sym> = p.cli_exports.clone();
        for (f, _) in p.checks() {
            roots.push(Sym::Func(f));
        }
        for (i, o) in p.objects.iter().enumerate() {
            if !self.loaded[i] {
                continue;
            }
            let oid = ObjId(i as u32);
            for (s, b, loc) in defs_with_loc(o) {
                if b.local || self.target(s) != Some((oid, loc)) {
                    continue;
                }
                let dynamic = p.export_dynamic && !p.hidden(s);
                // A local NO_STRIP symbol is no root (wasm-ld scans global symbols only).
                if b.exported || b.no_strip || dynamic {
                    roots.push(s);
                }
            }
        }
        let mut queue: Vec<Chunk> = Vec::new();
        for (i, o) in p.objects.iter().enumerate() {
            if !o.in_archive {
                self.obj_live(p, ObjId(i as u32), &mut queue);
            }
        }
        for s in roots {
            self.mark_sym(p, s, &mut queue);
        }
        while let Some(c) = queue.pop() {
            for s in self.chunk_refs(p, c) {
                self.mark_sym(p, s, &mut queue);
            }
        }
    }

    fn mark_sym(&mut self, p: &Program, s: Sym, queue: &mut Vec<Chunk>) {
        let Some((o, loc)) = self.target(s) else {
            return;
        };
        if let Some(c) = chunk_of(o, loc) {
            self.mark_chunk(p, c, queue);
        }
    }

    fn mark_chunk(&mut self, p: &Program, c: Chunk, queue: &mut Vec<Chunk>) {
        if !self.live.insert(c) {
            return;
        }
        queue.push(c);
        let o = match c {
            Chunk::Func(o, _)
            | Chunk::Segment(o, _)
            | Chunk::Global(o, _)
            | Chunk::Table(o, _)
            | Chunk::Tag(o, _) => o,
        };
        self.obj_live(p, o, queue);
    }

    /// An object becomes live: its constructors and `RETAIN` segments with it.
    fn obj_live(&mut self, p: &Program, o: ObjId, queue: &mut Vec<Chunk>) {
        if self.live_obj[o.idx()] {
            return;
        }
        self.live_obj[o.idx()] = true;
        let obj = &p.objects[o.idx()];
        for &(_, f) in &obj.ctors {
            if let Some(i) = obj.funcs.iter().position(|d| d.func == f) {
                self.mark_chunk(p, Chunk::Func(o, i), queue);
            }
        }
        for (i, s) in obj.segments.iter().enumerate() {
            if s.retain && !self.dropped(p, o, Loc::Data(i, 0)) {
                self.mark_chunk(p, Chunk::Segment(o, i), queue);
            }
        }
    }

    fn run_ctors(&mut self, p: &Program) {
        for (i, g) in p.globals.iter().enumerate() {
            let id = GlobalId(i as u32);
            let v = match (g.host, self.target(Sym::Global(id))) {
                // __stack_pointer starts at the top of the 64 KiB stack (stack first).
                _ if g.linker => 65536,
                (Some((_, _, v)), _) => v,
                (None, Some((o, Loc::Global(j)))) => p.objects[o.idx()].globals[j].init,
                _ => continue,
            };
            self.globals.insert(id, norm(g.ty, v));
        }
        // Load order: command-line objects, then members (whose priorities are unique).
        let mut ctors = Vec::new();
        for (i, o) in p.objects.iter().enumerate() {
            let oid = ObjId(i as u32);
            for &(prio, f) in &o.ctors {
                let Some(fi) = o.funcs.iter().position(|d| d.func == f) else {
                    continue;
                };
                if self.live.contains(&Chunk::Func(oid, fi)) {
                    ctors.push((oid, f, prio));
                }
            }
        }
        ctors.sort_by_key(|&(_, _, prio)| prio);
        let mut pos = 0usize;
        for &(o, f, _) in &ctors {
            let def = p.objects[o.idx()]
                .funcs
                .iter()
                .find(|d| d.func == f)
                .unwrap();
            if let Body::Ctor { log_id, updates } = &def.body {
                if pos < 15 {
                    self.log[1 + pos] = *log_id;
                }
                pos += 1;
                self.log[0] = pos as u8;
                for &(g, k) in updates {
                    let ty = p.globals[g.idx()].ty;
                    let cur = self.globals.get(&g).copied().unwrap_or(0);
                    self.globals
                        .insert(g, norm(ty, cur.wrapping_mul(3).wrapping_add(k)));
                }
            }
        }
        self.ctor_order = ctors;
    }

    /// The command-line objects of a PIC program that the runner moves into a shared library
    /// (linked `-shared`; the `-pie` main module keeps the other objects and the archive and
    /// needs it), in order: only objects whose move cannot change what the checks see
    /// (spec/dynamic.md, "Generated programs").
    ///
    /// Objects that must share a module are grouped, and a group moves whole:
    ///
    /// - every object that defines or uses a name not exported across modules (hidden
    ///   functions and data, globals, tables, tags);
    /// - every object that defines a name defined more than once (so that each module's
    ///   weak/strong choice is the static link's), and every copy of a COMDAT group;
    /// - an object taking a `__memory_base`/`__table_base`-relative address and the name's
    ///   definers (those addresses reach only the module's own names);
    /// - an object whose custom sections name something, and its definers (wasm-ld-22 crashes
    ///   on such a relocation against another module's name).
    ///
    /// A group stays in the main module if it has the first command-line object, the ctor log,
    /// a weak global that is not hidden, an archive member or an object using a name a member
    /// defines (the main module's link would not extract it for the library), a hidden check
    /// function or `--export` name, or a relative address of a name another module could
    /// preempt. And the moved constructors must be the first to run statically: a loader runs
    /// the library's before the main module's.
    pub fn side_module_objects(&self, p: &Program) -> Vec<ObjId> {
        // The main module exports everything (`--export-dynamic`), which keeps alive an
        // extracted member nothing live uses statically: its constructors would run.
        let dead_ctors = p
            .objects
            .iter()
            .enumerate()
            .any(|(i, o)| self.loaded[i] && !self.live_obj[i] && !o.ctors.is_empty());
        if !p.pic || dead_ctors {
            return Vec::new();
        }
        let n = p.objects.len();
        let internal = |s: Sym| match s {
            Sym::Global(g) => p.globals[g.idx()].host.is_none() && !p.globals[g.idx()].linker,
            Sym::Table(_) | Sym::Tag(_) => true,
            Sym::Func(_) | Sym::Data(_) => p.hidden(s),
        };
        // Non-local definers of each name, and each object's uses.
        let mut definers: HashMap<Sym, Vec<usize>> = HashMap::new();
        for (i, o) in p.objects.iter().enumerate() {
            for (s, b) in o.definitions() {
                if !b.local {
                    definers.entry(s).or_default().push(i);
                }
            }
        }
        let refs: Vec<Vec<Sym>> = p.objects.iter().map(|o| o.references(p)).collect();
        let mut group: Vec<usize> = (0..n).collect();
        fn root(group: &mut [usize], mut i: usize) -> usize {
            while group[i] != i {
                group[i] = group[group[i]];
                i = group[i];
            }
            i
        }
        let mut join = |a: usize, b: usize| {
            let (ra, rb) = (root(&mut group, a), root(&mut group, b));
            group[ra.max(rb)] = ra.min(rb);
        };
        for (&s, ds) in &definers {
            if ds.len() > 1 || internal(s) {
                for w in ds.windows(2) {
                    join(w[0], w[1]);
                }
            }
        }
        let mut rel_preemptible = Vec::new();
        for (i, o) in p.objects.iter().enumerate() {
            let rel = o.funcs.iter().flat_map(|f| match &f.body {
                Body::Value { probes, .. } => probes.as_slice(),
                _ => &[],
            });
            let rel: Vec<Sym> = rel
                .filter_map(|pr| match *pr {
                    Probe::CallIndirect {
                        func, rel: true, ..
                    } => Some(Sym::Func(func)),
                    Probe::Load {
                        data,
                        via: AddrVia::MemRel | AddrVia::MemRel64,
                        ..
                    } => Some(Sym::Data(data)),
                    _ => None,
                })
                .collect();
            for &s in refs[i].iter().filter(|&&s| internal(s)).chain(&rel) {
                for &d in definers.get(&s).into_iter().flatten() {
                    join(i, d);
                }
            }
            if rel
                .iter()
                .any(|&s| !p.hidden(s) && definers.contains_key(&s))
            {
                rel_preemptible.push(i);
            }
            // A custom section's relocation against a name another module defines crashes
            // wasm-ld-22 (spec/dynamic.md): custom sections stay with what they name.
            for f in o.customs.iter().flat_map(|c| &c.fields) {
                let s = match *f {
                    CustomField::FuncOffset { func, .. } | CustomField::FuncIndex { func } => {
                        Sym::Func(func)
                    }
                    CustomField::GlobalIndex { global } => Sym::Global(global),
                    CustomField::MemAddr { data, .. } => Sym::Data(data),
                    CustomField::Bytes(_) | CustomField::SectionOffset { .. } => continue,
                };
                for &d in definers.get(&s).into_iter().flatten() {
                    join(i, d);
                }
            }
            for c in &o.comdats {
                for (j, q) in p.objects.iter().enumerate() {
                    if q.comdats.iter().any(|e| e.name == c.name) {
                        join(i, j);
                    }
                }
            }
        }
        // Groups that stay in the main module.
        let mut pinned = vec![false; n];
        pinned[root(&mut group, 0)] = true;
        for i in rel_preemptible {
            let r = root(&mut group, i);
            pinned[r] = true;
        }
        for (i, o) in p.objects.iter().enumerate() {
            let from_archive = |s: &Sym| {
                definers
                    .get(s)
                    .is_some_and(|ds| ds.iter().any(|&d| p.objects[d].in_archive))
            };
            let hidden_export = o.definitions().iter().any(|&(s, b)| {
                !b.local
                    && p.hidden(s)
                    && (p.cli_exports.contains(&s)
                        || matches!(s, Sym::Func(f) if p.funcs[f.idx()].role == FuncRole::Check))
            });
            // wasm-ld-22 names a library's weak global twice, and then rejects the library
            // as an input (spec/dynamic.md).
            let weak_global = o
                .globals
                .iter()
                .any(|g| g.binding.weak && !g.binding.local && !p.hidden(Sym::Global(g.global)));
            if o.in_archive
                || weak_global
                || p.log.is_some_and(|l| o.defines(Sym::Data(l)))
                || refs[i].iter().any(from_archive)
                || hidden_export
            {
                let r = root(&mut group, i);
                pinned[r] = true;
            }
        }
        let mut moved: BTreeSet<usize> = (0..n).filter(|&i| !pinned[root(&mut group, i)]).collect();
        // Constructors: drop groups until the moved constructors are a prefix of the order.
        loop {
            let prefix = self
                .ctor_order
                .iter()
                .take_while(|(o, _, _)| moved.contains(&o.idx()))
                .count();
            let late = moved.iter().copied().find(|&i| {
                p.objects[i].ctors.iter().any(|&(_, f)| {
                    !self.ctor_order[..prefix]
                        .iter()
                        .any(|&(co, cf, _)| co.idx() == i && cf == f)
                })
            });
            let Some(late) = late else { break };
            let r = root(&mut group, late);
            moved.retain(|&i| root(&mut group, i) != r);
        }
        moved.into_iter().map(|i| ObjId(i as u32)).collect()
    }

    /// Whether the function `f` has an address/target (a definition, or a host import).
    fn func_target(&self, p: &Program, f: FuncId) -> Option<FuncTarget> {
        if let FuncRole::Host { field, .. } = p.funcs[f.idx()].role {
            return self
                .imported
                .contains(&Sym::Func(f))
                .then(|| FuncTarget::Host(host_value(field)));
        }
        match self.target(Sym::Func(f)) {
            Some((o, Loc::Func(i))) => Some(FuncTarget::Def(o, i)),
            _ => None,
        }
    }

    fn call(&self, p: &Program, _from: ObjId, f: FuncId, arg: i64) -> Result<i64, Trap> {
        match self.func_target(p, f) {
            None => Err(Trap),
            Some(FuncTarget::Host(v)) => Ok(v),
            Some(FuncTarget::Def(o, i)) => self.eval_body(p, o, i, arg),
        }
    }

    fn eval_body(&self, p: &Program, o: ObjId, i: usize, arg: i64) -> Result<i64, Trap> {
        let def = &p.objects[o.idx()].funcs[i];
        let Body::Value { base, probes } = &def.body else {
            return Err(Trap);
        };
        let mut acc = *base;
        if p.funcs[def.func.idx()].sig == Sig::Unary {
            acc = acc.wrapping_add(arg);
        }
        for pr in probes {
            let v = self.probe(p, o, pr)?;
            acc = acc.wrapping_mul(31).wrapping_add(v);
        }
        Ok(acc)
    }

    /// The bytes of the definition `d` resolves to (`None`: undefined).
    pub fn content(&self, p: &Program, d: DataId) -> Option<Vec<u8>> {
        let (o, loc) = self.target(Sym::Data(d))?;
        match loc {
            Loc::Data(i, j) => {
                let seg = &p.objects[o.idx()].segments[i];
                let sym = &seg.symbols[j];
                let size = p.datas[d.idx()].size as usize;
                let start = sym.offset as usize;
                Some(seg.bytes[start..start + size].to_vec())
            }
            _ => Some(Vec::new()),
        }
    }

    fn field(&self, p: &Program, slot: DataId, offset: u32) -> Option<DataRelocKind> {
        let (o, Loc::Data(i, j)) = self.target(Sym::Data(slot))? else {
            return None;
        };
        let seg = &p.objects[o.idx()].segments[i];
        let at = seg.symbols[j].offset + offset;
        seg.relocs.iter().find(|r| r.offset == at).map(|r| r.kind)
    }

    fn probe(&self, p: &Program, from: ObjId, pr: &Probe) -> Result<i64, Trap> {
        Ok(match *pr {
            Probe::Call { func, arg } => self.call(p, from, func, arg)?,
            Probe::CallIndirect { func, arg, .. } => match self.func_target(p, func) {
                None => -1,
                Some(_) => self.call(p, from, func, arg)?,
            },
            Probe::FuncIsNull { func } => self.func_target(p, func).is_none() as i64,
            Probe::Load {
                data,
                offset,
                width,
                ..
            } => match self.content(p, data) {
                None => -1,
                Some(c) => le(&c[offset as usize..offset as usize + width as usize]),
            },
            Probe::DataIsNull { data } => self.target(Sym::Data(data)).is_none() as i64,
            Probe::AbsAddr { data } => match p.datas[data.idx()].kind {
                DataKind::Abs(a) => a as i64,
                _ => 0,
            },
            Probe::LoadPtr { slot, offset, .. } => match self.field(p, slot, offset) {
                Some(DataRelocKind::MemAddr { target, addend, .. }) => {
                    match self.content(p, target) {
                        None => -1,
                        Some(c) => c[addend as usize] as i64,
                    }
                }
                _ => -1,
            },
            Probe::LoadLocrel { slot, offset } => match self.field(p, slot, offset) {
                Some(DataRelocKind::Locrel { target, addend }) => self
                    .content(p, target)
                    .map(|c| c[addend as usize] as i64)
                    .unwrap_or(-1),
                _ => -1,
            },
            Probe::CallPtr { slot, offset, .. } => match self.field(p, slot, offset) {
                Some(DataRelocKind::TableIndex { func, .. }) => match self.func_target(p, func) {
                    None => -1,
                    Some(_) => self.call(p, from, func, 0)?,
                },
                _ => -1,
            },
            Probe::GlobalGet { global } => self.globals.get(&global).copied().unwrap_or(0),
            Probe::TableSize { table } => match self.target(Sym::Table(table)) {
                Some((o, Loc::Table(i))) => p.objects[o.idx()].tables[i].min as i64,
                _ => 0,
            },
            Probe::CtorLog { part } => {
                let s = 8 * part as usize;
                le(&self.log[s..s + 8])
            }
        })
    }

    fn func_live(&self, f: FuncId) -> Option<bool> {
        match self.target(Sym::Func(f))? {
            (o, Loc::Func(i)) => Some(self.live.contains(&Chunk::Func(o, i))),
            _ => None,
        }
    }

    fn sym_live(&self, s: Sym) -> bool {
        match self.target(s) {
            Some((o, loc)) => match chunk_of(o, loc) {
                Some(c) => self.live.contains(&c),
                None => true,
            },
            None => false,
        }
    }

    /// Where each object's piece of each custom section starts in the output section.
    pub fn piece_offsets(&self, p: &Program) -> HashMap<(ObjId, String), u32> {
        let mut next: BTreeMap<String, u32> = BTreeMap::new();
        let mut out = HashMap::new();
        for (i, o) in p.objects.iter().enumerate() {
            if !self.loaded[i] {
                continue;
            }
            for c in &o.customs {
                let at = next.entry(c.name.clone()).or_default();
                out.insert((ObjId(i as u32), c.name.clone()), *at);
                *at += c.size();
            }
        }
        out
    }

    fn structure(&mut self, p: &Program) {
        let pieces = self.piece_offsets(p);
        let mut expects = Vec::new();
        for (i, o) in p.objects.iter().enumerate() {
            if !self.loaded[i] {
                continue;
            }
            let oid = ObjId(i as u32);
            for c in &o.customs {
                let tombstone: Option<u64> = if c.name == ".debug_ranges" || c.name == ".debug_loc"
                {
                    Some(-2i64 as u64)
                } else if c.name.starts_with(".debug_") {
                    Some(u64::MAX)
                } else {
                    None
                };
                let base = pieces[&(oid, c.name.clone())];
                let mut at = base;
                for f in &c.fields {
                    let dead = |addend: u32| FieldValue::Exact(tombstone.unwrap_or(addend as u64));
                    let (value, wide, what) = match *f {
                        CustomField::Bytes(_) => {
                            at += f.size();
                            continue;
                        }
                        CustomField::FuncOffset { func, addend, wide } => {
                            let name = p.funcs[func.idx()].name.clone();
                            let v = match self.func_live(func) {
                                Some(true) => FieldValue::FuncBody {
                                    name: name.clone(),
                                    addend,
                                },
                                _ => dead(addend),
                            };
                            (v, wide, format!("FUNCTION_OFFSET {name}+{addend}"))
                        }
                        CustomField::SectionOffset { section, addend } => {
                            let t = &o.customs[section].name;
                            let v = FieldValue::Exact((pieces[&(oid, t.clone())] + addend) as u64);
                            (v, false, format!("SECTION_OFFSET {t}+{addend}"))
                        }
                        CustomField::FuncIndex { func } => {
                            let name = p.funcs[func.idx()].name.clone();
                            let v = match self.func_live(func) {
                                Some(true) => FieldValue::FuncIndex(name.clone()),
                                _ => dead(0),
                            };
                            (v, false, format!("FUNCTION_INDEX_I32 {name}"))
                        }
                        CustomField::GlobalIndex { global } => {
                            let name = p.globals[global.idx()].name.clone();
                            let v = if self.sym_live(Sym::Global(global))
                                || p.globals[global.idx()].linker
                            {
                                FieldValue::GlobalIndex(name.clone())
                            } else {
                                dead(0)
                            };
                            (v, false, format!("GLOBAL_INDEX_I32 {name}"))
                        }
                        CustomField::MemAddr { data, addend, wide } => {
                            let name = p.datas[data.idx()].name.clone();
                            let v = if !self.sym_live(Sym::Data(data)) {
                                dead(addend)
                            } else if let DataKind::Abs(a) = p.datas[data.idx()].kind {
                                FieldValue::Exact((a + addend) as u64)
                            } else {
                                let c = self.content(p, data).unwrap_or_default();
                                let end = (addend as usize + 4).min(c.len());
                                FieldValue::DataAt(c[addend as usize..end].to_vec())
                            };
                            (v, wide, format!("MEMORY_ADDR {name}+{addend}"))
                        }
                    };
                    let value = match value {
                        FieldValue::Exact(v) if !wide => FieldValue::Exact(v & 0xffff_ffff),
                        v => v,
                    };
                    expects.push(Expect::Custom {
                        section: c.name.clone(),
                        offset: at,
                        wide,
                        value,
                        what: format!("{what} from {}", o.file),
                    });
                    at += f.size();
                }
            }
        }
        // Functions kept or dropped by gc, by name.
        for (i, d) in p.funcs.iter().enumerate() {
            if matches!(d.role, FuncRole::Host { .. }) {
                continue;
            }
            if let Some(live) = self.func_live(FuncId(i as u32)) {
                expects.push(Expect::FuncPresent {
                    name: d.name.clone(),
                    present: live,
                });
            }
        }
        // Data segments kept or dropped, by marker.
        for (i, o) in p.objects.iter().enumerate() {
            let oid = ObjId(i as u32);
            for (si, s) in o.segments.iter().enumerate() {
                let plain = s
                    .symbols
                    .first()
                    .is_some_and(|d| p.datas[d.data.idx()].kind == DataKind::Plain);
                if !plain || s.bytes.len() < 8 || s.bytes[0] != 0xa5 {
                    continue;
                }
                let present = self.loaded[i] && self.live.contains(&Chunk::Segment(oid, si));
                expects.push(Expect::DataPresent {
                    marker: s.bytes[..8].try_into().unwrap(),
                    present,
                    what: format!("segment {} of {}", s.name, o.file),
                });
            }
        }
        // Exports of model names.
        let mut names: Vec<Sym> = Vec::new();
        names.extend((0..p.funcs.len()).map(|i| Sym::Func(FuncId(i as u32))));
        names.extend((0..p.datas.len()).map(|i| Sym::Data(DataId(i as u32))));
        names.extend(
            (0..p.globals.len())
                .filter(|&i| !p.globals[i].linker)
                .map(|i| Sym::Global(GlobalId(i as u32))),
        );
        for s in names {
            let exported = match self.target(s) {
                Some((o, loc)) => {
                    let b = self.binding(p, o, loc);
                    !b.local
                        && (p.cli_exports.contains(&s)
                            || b.exported
                            || (p.export_dynamic && !p.hidden(s)))
                }
                None => false,
            };
            let value = match s {
                Sym::Data(d) if exported => Some(match p.datas[d.idx()].kind {
                    DataKind::Abs(a) => FieldValue::Exact(a as u64),
                    DataKind::Plain | DataKind::Bss | DataKind::Str => {
                        let c = self.content(p, d).unwrap_or_default();
                        FieldValue::DataAt(c[..c.len().min(8)].to_vec())
                    }
                    _ => FieldValue::DataAt(Vec::new()),
                }),
                _ => None,
            };
            expects.push(Expect::Export {
                name: p.name(s).to_string(),
                present: exported,
                value,
            });
        }
        self.expects = expects;
        for (f, o) in p.throwers() {
            if let Body::Throw(t) = p.objects[o.idx()]
                .funcs
                .iter()
                .find(|d| d.func == f)
                .unwrap()
                .body
            {
                self.throws.push(ThrowExpect {
                    thrower: p.funcs[f.idx()].name.clone(),
                    tag: p.tags[t.idx()].name.clone(),
                });
            }
        }
    }

    /// Whether the program's observable results depend on the order of command-line objects
    /// (first weak definition, first COMDAT copy, ties between constructor priorities).
    pub fn order_sensitive(p: &Program) -> bool {
        let mut weak_defs: HashMap<Sym, usize> = HashMap::new();
        for o in p.objects.iter().filter(|o| !o.in_archive) {
            for (s, b, _) in defs_with_loc(o) {
                if b.weak {
                    *weak_defs.entry(s).or_default() += 1;
                }
            }
        }
        let mut groups = BTreeSet::new();
        let mut dup_group = false;
        for o in &p.objects {
            for c in &o.comdats {
                dup_group |= !groups.insert(c.name.clone());
            }
        }
        let mut prios: HashMap<u32, BTreeSet<usize>> = HashMap::new();
        for (i, o) in p.objects.iter().enumerate() {
            for &(prio, _) in &o.ctors {
                prios.entry(prio).or_default().insert(i);
            }
        }
        weak_defs.values().any(|&n| n > 1) || dup_group || prios.values().any(|s| s.len() > 1)
    }
}

#[derive(Debug, Clone, Copy)]
enum FuncTarget {
    Def(ObjId, usize),
    Host(i64),
}

/// A trap during evaluation.
#[derive(Debug, Clone, Copy)]
struct Trap;

fn norm(ty: ValType, v: i64) -> i64 {
    match ty {
        ValType::I32 => v as i32 as i64,
        ValType::I64 => v,
    }
}

fn le(b: &[u8]) -> i64 {
    let mut x = [0u8; 8];
    x[..b.len()].copy_from_slice(b);
    i64::from_le_bytes(x)
}
