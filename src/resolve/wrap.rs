//! `--wrap=NAME` in resolution: `NAME` becomes `__wrap_NAME` and `__real_NAME` becomes
//! `NAME` (spec/command-line.md).

use super::*;

impl<'a> Resolver<'a, '_> {
    /// `--wrap`: for each name the link has a symbol for, makes sure `__real_NAME` and
    /// `__wrap_NAME` exist (a reference from the command line, which may load an archive
    /// member), as wasm-ld does. Returns (symbol, real, wrap) triples.
    pub(super) fn add_wrapped_symbols(&mut self) -> Result<Vec<[SymbolId; 3]>> {
        let config = self.config;
        let mut seen = FxHashSet::default();
        let mut out = Vec::new();
        for w in &config.wrap {
            if !seen.insert(w.name.as_str()) {
                continue;
            }
            let Some(&sym) = self.names.get(w.name.as_str()) else {
                continue;
            };
            let real = self.command_line_reference(&w.real)?;
            let wrap = self.command_line_reference(&w.wrap)?;
            out.push([sym, real, wrap]);
        }
        Ok(out)
    }

    /// A strong reference to `name` from the command line: loads the member that defines it,
    /// or leaves an undefined symbol.
    fn command_line_reference(&mut self, name: &'a str) -> Result<SymbolId> {
        match self.names.get(name).copied() {
            Some(id) => {
                if let Some(m) = self.lazy_member(id) {
                    self.extract_for(m, Reference::CommandLine("<internal>"), id)?;
                }
                // The reference is to a function (wasm-ld), so anything else conflicts.
                let sym = &self.symbols[id.idx()];
                if sym.kind != SymbolKind::Function {
                    let msg = format!(
                        "symbol type mismatch: {name}\n>>> defined as {} in {}\n>>> defined as {} in <internal>",
                        llvm_type_name(sym.kind),
                        self.defined_in(sym),
                        llvm_type_name(SymbolKind::Function)
                    );
                    self.diags.error(msg);
                }
                Ok(id)
            }
            None => {
                let id = self.new_symbol(name, SymbolKind::Function, Def::CommandLine, SymFlags(0));
                self.names.insert(name, id);
                Ok(id)
            }
        }
    }

    /// Redirects references as `--wrap` asks: every object's reference to the symbol now
    /// names `__wrap_NAME`, and its references to `__real_NAME` name the symbol; name look-ups
    /// follow (wasm-ld swaps the same pointers in each file and in its symbol map).
    pub(super) fn wrap_symbols(&mut self, wrapped: &[[SymbolId; 3]]) {
        if wrapped.is_empty() {
            return;
        }
        let mut map: FxHashMap<SymbolId, SymbolId> = FxHashMap::default();
        for &[sym, real, wrap] in wrapped {
            map.insert(sym, wrap);
            map.insert(real, sym);
        }
        for ids in &mut self.obj_symbols {
            for id in ids.iter_mut() {
                if let Some(&to) = map.get(id) {
                    *id = to;
                }
            }
        }
        for &[sym, real, wrap] in wrapped {
            let (s, r) = (self.symbols[sym.idx()].name, self.symbols[real.idx()].name);
            self.names.insert(r, sym);
            self.names.insert(s, wrap);
            // Nothing refers to the old `__real_NAME` entry any more: it is neither imported
            // nor listed at `-r` (unless it is the symbol itself).
            if real != sym && !self.symbols[real.idx()].is_defined() {
                self.symbols[real.idx()].def = Def::CommandLine;
            }
            // A `__wrap_NAME` that only the command line names takes over the references, and
            // their import, from the symbol (wasm-ld imports it under its own name).
            if self.symbols[wrap.idx()].def == Def::CommandLine
                && let Def::Undefined { .. } = self.symbols[sym.idx()].def
            {
                let from = self.symbols[sym.idx()].clone();
                let w = &mut self.symbols[wrap.idx()];
                w.def = from.def;
                w.flags = SymFlags(from.flags.0 & !SymFlags::EXPLICIT_NAME);
                w.weak_refs_only = from.weak_refs_only;
            }
        }
    }
}
