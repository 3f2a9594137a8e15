//! Shrinking a failing program while it keeps failing, by steps that keep it valid: dropping
//! custom sections, probes, check functions, constructors, exports, and definitions of names
//! nothing refers to any more.

use std::collections::HashSet;

use crate::model::*;

/// Every name some object refers to, or that is exported.
fn referenced(p: &Program) -> HashSet<Sym> {
    let mut s: HashSet<Sym> = p.cli_exports.iter().copied().collect();
    for o in &p.objects {
        s.extend(o.references(p));
    }
    s
}

/// The candidate one-step reductions of `p`.
fn candidates(p: &Program) -> Vec<Program> {
    let mut out = Vec::new();
    for (i, o) in p.objects.iter().enumerate() {
        if !o.customs.is_empty() {
            let mut q = p.clone();
            q.objects[i].customs.clear();
            out.push(q);
        }
    }
    if p.export_dynamic {
        let mut q = p.clone();
        q.export_dynamic = false;
        out.push(q);
    }
    for (k, s) in p.cli_exports.iter().enumerate() {
        if !matches!(s, Sym::Func(f) if p.funcs[f.idx()].role == FuncRole::Check) {
            let mut q = p.clone();
            q.cli_exports.remove(k);
            out.push(q);
        }
    }
    let refs = referenced(p);
    for (i, o) in p.objects.iter().enumerate() {
        for (fi, f) in o.funcs.iter().enumerate() {
            if let Body::Value { probes, .. } = &f.body {
                for k in 0..probes.len() {
                    let mut q = p.clone();
                    if let Body::Value { probes, .. } = &mut q.objects[i].funcs[fi].body {
                        probes.remove(k);
                    }
                    out.push(q);
                }
            }
            // A definition nothing refers to (checks: unless it is the last one).
            let role = p.funcs[f.func.idx()].role;
            let is_check = role == FuncRole::Check;
            let in_comdat = o.comdats.iter().any(|c| c.funcs.contains(&fi));
            if !refs.contains(&Sym::Func(f.func))
                && !in_comdat
                && (!is_check || p.checks().len() > 1)
            {
                let mut q = p.clone();
                q.objects[i].funcs.remove(fi);
                q.objects[i].ctors.retain(|&(_, c)| c != f.func);
                q.cli_exports.retain(|&s| s != Sym::Func(f.func));
                for c in &mut q.objects[i].comdats {
                    for x in &mut c.funcs {
                        if *x > fi {
                            *x -= 1;
                        }
                    }
                }
                out.push(q);
            }
        }
        for (si, s) in o.segments.iter().enumerate() {
            let unused = s.symbols.iter().all(|d| !refs.contains(&Sym::Data(d.data)));
            let in_comdat = o.comdats.iter().any(|c| c.segments.contains(&si));
            if unused && !in_comdat {
                let mut q = p.clone();
                q.objects[i].segments.remove(si);
                for c in &mut q.objects[i].comdats {
                    for x in &mut c.segments {
                        if *x > si {
                            *x -= 1;
                        }
                    }
                }
                out.push(q);
            }
            for k in 0..s.relocs.len() {
                // A pointer field no probe reads.
                let mut q = p.clone();
                q.objects[i].segments[si].relocs.remove(k);
                let at = s.relocs[k].offset;
                let slot = s.symbols.first().map(|d| d.data);
                let read = p
                    .objects
                    .iter()
                    .flat_map(|o| &o.funcs)
                    .any(|f| match &f.body {
                        Body::Value { probes, .. } => probes.iter().any(|pr| match *pr {
                            Probe::LoadPtr {
                                slot: s2, offset, ..
                            }
                            | Probe::LoadLocrel { slot: s2, offset }
                            | Probe::CallPtr {
                                slot: s2, offset, ..
                            } => Some(s2) == slot && offset == at,
                            _ => false,
                        }),
                        _ => false,
                    });
                if !read {
                    out.push(q);
                }
            }
        }
        for (gi, g) in o.globals.iter().enumerate() {
            if !refs.contains(&Sym::Global(g.global)) {
                let mut q = p.clone();
                q.objects[i].globals.remove(gi);
                out.push(q);
            }
        }
        if o.definitions().is_empty() && o.references(p).is_empty() && p.objects.len() > 1 {
            let mut q = p.clone();
            q.objects.remove(i);
            out.push(q);
        }
    }
    out
}

/// Shrinks `p` while `fails` holds, greedily; returns the smallest program found.
pub fn reduce(p: &Program, mut fails: impl FnMut(&Program) -> bool) -> Program {
    let mut cur = p.clone();
    loop {
        let mut progressed = false;
        for q in candidates(&cur) {
            if fails(&q) {
                cur = q;
                progressed = true;
                break;
            }
        }
        if !progressed {
            return cur;
        }
    }
}
