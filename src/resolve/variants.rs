//! Signature variants: what wasm-ld does when objects disagree on a function's signature
//! (spec/resolution.md, "Signature variants"). The resolver keeps one variant per signature as
//! it reads the inputs, and settles them when all are read.

use rustc_hash::FxHashSet;
use wasmparser::FuncType;

use super::{Def, Resolver};
use crate::model::*;

/// The signature variants of one function name, as wasm-ld keeps them (`symVariants`): one
/// per signature, in the order they appeared. The symbol table entry holds the state of the
/// current primary variant; the others are kept here.
pub(super) struct Variants {
    entries: Vec<Variant>,
    /// The entry the symbol table entry stands for.
    primary: usize,
    /// References bound to an entry since the name got variants; earlier ones are bound to
    /// entry 0.
    bound: Vec<(ObjectId, u32, usize)>,
}

/// One signature variant: the state of a symbol table entry.
#[derive(Clone, Copy)]
struct Variant {
    /// The symbol whose declaration is the signature (and whose object the messages name).
    from: (ObjectId, u32),
    def: Def,
    flags: SymFlags,
    weak_refs_only: bool,
    called_directly: bool,
}

impl<'a> Resolver<'a, '_> {
    /// The signature of a function symbol of an object.
    fn signature(&self, (obj, sym): (ObjectId, u32)) -> Option<&FuncType> {
        let o = &self.objects[obj.idx()];
        match o.symbols[sym as usize].target {
            SymbolTarget::Function(f) => o.func_type(f),
            _ => None,
        }
    }

    /// The symbol whose declaration is entry `id`'s signature, if it has one.
    pub(super) fn signature_source(&self, id: SymbolId) -> Option<(ObjectId, u32)> {
        let sym = &self.symbols[id.idx()];
        match sym.def {
            Def::Defined { obj, sym: s } => Some((obj, s)),
            Def::Undefined { obj, sym: s } => Some(sym.signature_from.unwrap_or((obj, s))),
            _ => None,
        }
    }

    /// Whether object symbol `r` has entry `id`'s signature (or either has none).
    pub(super) fn same_signature(&self, id: SymbolId, r: (ObjectId, u32)) -> bool {
        match (self.signature_source(id), self.signature(r)) {
            (Some(from), Some(t)) => self.signature(from).is_none_or(|f| f == t),
            _ => true,
        }
    }

    /// The variant entry of `id` with `r`'s signature, made (from `r`, undefined) if there is
    /// none yet, and whether it was made (wasm-ld's getFunctionVariant). The primary's entry
    /// is brought up to date.
    pub(super) fn variant_for(&mut self, id: SymbolId, r: (ObjectId, u32)) -> (usize, bool) {
        let current = self.snapshot(id);
        let v = self.variants.entry(id).or_insert_with(|| Variants {
            entries: vec![current],
            primary: 0,
            bound: Vec::new(),
        });
        v.entries[v.primary] = current;
        let entries: Vec<(ObjectId, u32)> = v.entries.iter().map(|e| e.from).collect();
        let t = self.signature(r);
        if let Some(e) = entries.iter().position(|&f| self.signature(f) == t) {
            return (e, false);
        }
        let v = self.variants.get_mut(&id).unwrap();
        let flags = self.objects[r.0.idx()].symbols[r.1 as usize].flags;
        v.entries.push(Variant {
            from: r,
            def: Def::Undefined { obj: r.0, sym: r.1 },
            flags: SymFlags(flags.0 | SymFlags::UNDEFINED),
            weak_refs_only: flags.weak(),
            called_directly: true,
        });
        (v.entries.len() - 1, true)
    }

    /// The state of entry `id` as a variant.
    fn snapshot(&self, id: SymbolId) -> Variant {
        let sym = &self.symbols[id.idx()];
        let from = self.signature_source(id).unwrap_or((ObjectId(0), 0));
        Variant {
            from,
            def: sym.def,
            flags: sym.flags,
            weak_refs_only: sym.weak_refs_only,
            called_directly: sym.called_directly,
        }
    }

    /// Makes variant `e` the primary: entry `id` takes its state, the old primary's is kept.
    fn switch_primary(&mut self, id: SymbolId, e: usize) {
        let current = self.snapshot(id);
        let v = self.variants.get_mut(&id).unwrap();
        let old = v.primary;
        v.entries[old] = current;
        v.primary = e;
        let next = v.entries[e];
        self.load_variant(id, next);
    }

    /// Gives entry `id` the state of `v` (and records it as the primary's).
    fn load_variant(&mut self, id: SymbolId, v: Variant) {
        let sym = &mut self.symbols[id.idx()];
        sym.def = v.def;
        sym.flags = v.flags;
        sym.weak_refs_only = v.weak_refs_only;
        sym.called_directly = v.called_directly;
        sym.signature_from = match v.def {
            Def::Undefined { obj, sym } if (obj, sym) != v.from => Some(v.from),
            _ => None,
        };
        if let Some(vs) = self.variants.get_mut(&id) {
            vs.entries[vs.primary] = v;
        }
    }

    /// Definition `s` (symbol `i` of object `oid`) of another signature than entry `id`'s:
    /// it takes the variant of its own signature, creating it or replacing it if the
    /// strong/weak rules allow, and that variant becomes the primary (wasm-ld's
    /// addDefinedFunction).
    pub(super) fn define_variant(
        &mut self,
        id: SymbolId,
        oid: ObjectId,
        i: u32,
        s: &ObjSymbol<'a>,
    ) {
        let (e, added) = self.variant_for(id, (oid, i));
        let replace = added || self.should_replace(id, oid, s);
        self.switch_primary(id, e);
        if replace {
            let new = Variant {
                from: (oid, i),
                def: Def::Defined { obj: oid, sym: i },
                flags: s.flags,
                weak_refs_only: false,
                called_directly: false,
            };
            self.load_variant(id, new);
        }
        self.bind_to(id, oid, i, e);
    }

    /// Records that object symbol `(oid, i)` is bound to variant `e` of entry `id`.
    pub(super) fn bind_to(&mut self, id: SymbolId, oid: ObjectId, i: u32, e: usize) {
        if let Some(v) = self.variants.get_mut(&id) {
            v.bound.push((oid, i, e));
        }
    }

    /// Records that object symbol `(oid, i)` is bound to the primary, if the name has
    /// variants.
    pub(super) fn bind(&mut self, id: SymbolId, oid: ObjectId, i: u32) {
        if self.variants.is_empty() {
            return;
        }
        if let Some(v) = self.variants.get_mut(&id) {
            v.bound.push((oid, i, v.primary));
        }
    }

    /// Settles each name with signature variants, as wasm-ld's handleSymbolVariants: the
    /// first variant that is a definition wins and the name takes it; every other variant's
    /// references call a trap stub (a warning names it), and without any definition the
    /// link fails. Names are taken in symbol-table order (wasm-ld's is its hash order).
    pub(super) fn handle_variants(&mut self) {
        // wasm-ld stops after reading its inputs if any of them failed.
        if self.diags.has_errors() {
            return;
        }
        let mut ids: Vec<SymbolId> = self.variants.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            let current = self.snapshot(id);
            let mut v = self.variants.remove(&id).unwrap();
            v.entries[v.primary] = current;
            let name = self.symbols[id.idx()].name;
            // A primary that a weak reference keeps lazy is wasm-ld's lazy symbol, whose file
            // is the archive member.
            let lazy_member = match self.weak_lazy.get(&id) {
                Some(&m) if matches!(self.symbols[id.idx()].def, Def::Undefined { .. }) => {
                    self.member_name(m).ok()
                }
                _ => None,
            };
            let describe = |this: &Self, e: &Variant| {
                let ty = this
                    .signature(e.from)
                    .map_or("?".to_string(), crate::layout::show_type);
                let file = match &lazy_member {
                    Some(member) if e.def == current.def => member.as_str(),
                    _ => this.objects[e.from.0.idx()].name.as_str(),
                };
                format!("{ty} in {file}")
            };
            let Some(w) = v
                .entries
                .iter()
                .position(|e| matches!(e.def, Def::Defined { .. }))
            else {
                let msg = format!(
                    "function signature mismatch: {name}\n>>> defined as {}\n>>> defined as {}",
                    describe(self, &v.entries[0]),
                    describe(self, &v.entries[1])
                );
                self.diags.error(msg);
                continue;
            };
            let winner = v.entries[w];
            for (k, e) in v.entries.iter().enumerate() {
                if k != w {
                    let msg = format!(
                        "function signature mismatch: {name}\n>>> defined as {}\n>>> defined as {}",
                        describe(self, e),
                        describe(self, &winner)
                    );
                    self.diags.warn(msg);
                }
            }
            let shadowed = v.primary != w;
            self.load_variant(id, winner);
            self.symbols[id.idx()].shadowed = shadowed;
            let signature_of = |this: &Self, k: usize| this.signature(v.entries[k].from).cloned();
            let mut bound = FxHashSet::default();
            for &(o, i, e) in &v.bound {
                bound.insert((o, i));
                if e != w
                    && let Some(t) = signature_of(self, e)
                {
                    self.mismatched[o.idx()].insert(i, t);
                }
            }
            // References made before the name had variants are bound to the first.
            if w != 0
                && let Some(t) = signature_of(self, 0)
            {
                for (o, ids) in self.obj_symbols.iter().enumerate() {
                    for (i, &sid) in ids.iter().enumerate() {
                        let r = (ObjectId(o as u32), i as u32);
                        if sid == id && !bound.contains(&r) {
                            self.mismatched[o].insert(i as u32, t.clone());
                        }
                    }
                }
            }
        }
    }
}
