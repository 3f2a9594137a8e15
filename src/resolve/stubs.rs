//! Stub libraries (`#STUB` files) in resolution: what they provide is imported, what they
//! depend on is exported (spec/command-line.md).

use super::*;

impl<'a> Resolver<'a, '_> {
    /// Stub libraries, as wasm-ld processes them: each symbol a stub provides that an object
    /// references and nothing defines is imported, and the symbols it depends on are exported
    /// (an archive member defining one is loaded, which may reference more stub symbols, so
    /// this repeats until nothing is loaded). The first stub library to provide a symbol
    /// handles it. wasm-ld walks each stub's symbols in its hash map's order, weld in file
    /// order: only the load order of members that several stub symbols pull in can differ.
    pub(super) fn process_stub_libraries(&mut self) -> Result<()> {
        let stubs = std::mem::take(&mut self.stubs);
        loop {
            let mut loaded = false;
            for stub in &stubs {
                for (name, deps) in &stub.entries {
                    let Some(&id) = self.names.get(name) else {
                        continue;
                    };
                    let referenced = matches!(self.symbols[id.idx()].def, Def::Undefined { .. })
                        && !self.weak_lazy.contains_key(&id);
                    if referenced {
                        loaded |= self.import_from_stub(stub, id, deps)?;
                    }
                }
                // A symbol whose import name (not its own) is a stub symbol.
                let by_import: Vec<(SymbolId, usize)> = (0..self.symbols.len())
                    .filter_map(|i| {
                        let sym = &self.symbols[i];
                        let Def::Undefined { obj, sym: si } = sym.def else {
                            return None;
                        };
                        let o = &self.objects[obj.idx()];
                        if sym.local {
                            return None;
                        }
                        let (_, field) = o.import_of(&o.symbols[si as usize])?;
                        let field = field?;
                        let e = stub.entries.iter().position(|(n, _)| *n == field)?;
                        Some((SymbolId(i as u32), e))
                    })
                    .collect();
                for (id, e) in by_import {
                    loaded |= self.import_from_stub(stub, id, &stub.entries[e].1)?;
                }
            }
            if !loaded {
                break;
            }
        }
        Ok(())
    }

    /// Imports `id` from `stub` and exports what it needs; whether a member was loaded.
    fn import_from_stub(
        &mut self,
        stub: &crate::input::StubLibrary<'a>,
        id: SymbolId,
        deps: &[&'a str],
    ) -> Result<bool> {
        if std::mem::replace(&mut self.symbols[id.idx()].forced_import, true) {
            return Ok(false);
        }
        let name = self.symbols[id.idx()].name;
        self.trace(name, stub.path, "importing");
        let mut loaded = false;
        for &dep in deps {
            let Some(&needed) = self.names.get(dep) else {
                self.diags.error(format!(
                    "{}: undefined symbol: {dep}. Required by {name}",
                    stub.path
                ));
                continue;
            };
            let lazy = self.lazy_member(needed);
            if lazy.is_none() && !self.symbols[needed.idx()].is_defined() {
                self.diags.error(format!(
                    "{}: undefined symbol: {dep}. Required by {name}",
                    stub.path
                ));
                continue;
            }
            if self.traced.contains(dep) {
                println!("{}: exported {dep} due to import of {name}", stub.path);
            }
            self.symbols[needed.idx()].forced_export = true;
            if let Some(m) = lazy {
                loaded = true;
                let member = self.extract(m)?;
                // wasm-ld's record names the stub library, the file of the imported symbol
                // and the imported symbol (not the member loaded).
                if self.config.why_extract.is_some() && member.is_some() {
                    let file = match self.symbols[id.idx()].def {
                        Def::Undefined { obj, .. } => self.objects[obj.idx()].name.clone(),
                        _ => "<internal>".to_string(),
                    };
                    self.why_extract
                        .push([stub.path.to_string(), file, name.to_string()]);
                }
            }
        }
        Ok(loaded)
    }
}
