//! Mutations of wasm objects and `ar` archives for the robustness test: blind byte changes, and
//! structured ones that keep the file parseable up to one hostile field (a count, a size, an
//! alignment, a symbol or relocation field), which blind changes rarely reach.

/// A small deterministic generator (xorshift64*): the test must not depend on a seed source.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<T: Copy>(&mut self, list: &[T]) -> T {
        list[self.below(list.len())]
    }
}

/// The kinds of object mutation, in the order [`mutate_object`] takes them by number.
pub const OBJECT_KINDS: &[&str] = &[
    "bit flips",
    "byte run",
    "truncation",
    "inserted or deleted bytes",
    "bogus section size",
    "bogus count",
    "huge alignment",
    "bogus symbol field",
    "bogus relocation field",
];

/// The kinds of archive mutation, in the order [`mutate_archive`] takes them by number.
pub const ARCHIVE_KINDS: &[&str] = &[
    "bit flips or byte run",
    "truncation",
    "bogus member header",
    "bogus symbol index",
    "mutated member",
    "deep nesting",
];

/// Values a hostile count, size or index takes.
fn hostile(rng: &mut Rng, old: u64) -> u64 {
    match rng.below(8) {
        0 => 0,
        1 => old + 1,
        2 => old.saturating_mul(1000),
        3 => u32::MAX as u64,
        4 => 0x7fff_ffff,
        5 => 1 << 28,
        6 => u64::MAX >> 1,
        _ => old.wrapping_sub(1),
    }
}

fn leb(v: u64, out: &mut Vec<u8>) {
    let (bytes, n) = leb128fmt::encode_u64(v).expect("a u64 always encodes");
    out.extend_from_slice(&bytes[..n]);
}

/// Reads an unsigned LEB128 at `*at`; `None` past the end or when malformed.
fn read_leb(b: &[u8], at: &mut usize) -> Option<u64> {
    leb128fmt::decode_uint_slice::<u64, 64>(b, at).ok()
}

/// Skips a signed LEB128.
fn skip_leb(b: &[u8], at: &mut usize) -> Option<()> {
    read_leb(b, at).map(|_| ())
}

/// Replaces the LEB128 at `at` in `b` with `value`; returns the new bytes.
fn replace_leb(b: &[u8], at: usize, value: u64) -> Option<Vec<u8>> {
    let mut end = at;
    read_leb(b, &mut end)?;
    let mut out = b[..at].to_vec();
    leb(value, &mut out);
    out.extend_from_slice(&b[end..]);
    Some(out)
}

/// Skips a name (length and bytes); returns it.
fn read_name<'a>(b: &'a [u8], at: &mut usize) -> Option<&'a [u8]> {
    let n = read_leb(b, at)? as usize;
    let s = b.get(*at..at.checked_add(n)?)?;
    *at += n;
    Some(s)
}

/// One section: its id and payload (a custom section's payload includes its name).
struct Section {
    id: u8,
    payload: Vec<u8>,
}

fn sections(obj: &[u8]) -> Option<Vec<Section>> {
    let mut at = 8;
    let mut out = Vec::new();
    while at < obj.len() {
        let id = obj[at];
        at += 1;
        let n = read_leb(obj, &mut at)? as usize;
        let payload = obj.get(at..at.checked_add(n)?)?.to_vec();
        at += n;
        out.push(Section { id, payload });
    }
    Some(out)
}

fn encode(sections: &[Section], header: &[u8]) -> Vec<u8> {
    let mut out = header[..8].to_vec();
    for s in sections {
        out.push(s.id);
        leb(s.payload.len() as u64, &mut out);
        out.extend_from_slice(&s.payload);
    }
    out
}

fn custom_name(s: &Section) -> Option<&[u8]> {
    if s.id != 0 {
        return None;
    }
    read_name(&s.payload, &mut 0)
}

/// A `linking` subsection: its type and payload.
type Subsection = (u8, Vec<u8>);

/// The `linking` section's subsections: (payload offset of the header end, subsections).
fn subsections(payload: &[u8]) -> Option<(usize, Vec<Subsection>)> {
    let mut at = 0;
    read_name(payload, &mut at)?;
    read_leb(payload, &mut at)?; // version
    let head = at;
    let mut out = Vec::new();
    while at < payload.len() {
        let ty = payload[at];
        at += 1;
        let n = read_leb(payload, &mut at)? as usize;
        out.push((ty, payload.get(at..at.checked_add(n)?)?.to_vec()));
        at += n;
    }
    Some((head, out))
}

fn encode_linking(head: &[u8], subs: &[Subsection]) -> Vec<u8> {
    let mut out = head.to_vec();
    for (ty, p) in subs {
        out.push(*ty);
        leb(p.len() as u64, &mut out);
        out.extend_from_slice(p);
    }
    out
}

/// Relocation types with an addend (tool-conventions Linking.md).
const WITH_ADDEND: &[u8] = &[3, 4, 5, 8, 9, 11, 14, 15, 16, 17, 21, 22, 23, 25];

/// Applies object mutation `kind` (an index into [`OBJECT_KINDS`]); a structured mutation that
/// finds nothing to change falls back to bit flips.
pub fn mutate_object(obj: &[u8], kind: usize, rng: &mut Rng) -> Vec<u8> {
    let structured = match kind {
        4 => bogus_section_size(obj, rng),
        5 => bogus_count(obj, rng),
        6 => huge_alignment(obj, rng),
        7 => bogus_symbol_field(obj, rng),
        8 => bogus_reloc_field(obj, rng),
        _ => None,
    };
    if let Some(m) = structured {
        return m;
    }
    let mut b = obj.to_vec();
    match kind {
        1 => {
            let at = 8 + rng.below(b.len() - 8);
            let n = (2 + rng.below(63)).min(b.len() - at);
            let random = rng.next() as u8;
            let v = rng.pick(&[0x00, 0xff, 0x80, 0x7f, random]);
            b[at..at + n].fill(v);
        }
        2 => b.truncate(rng.below(b.len())),
        3 => {
            let at = rng.below(b.len());
            if rng.below(2) == 0 {
                for _ in 0..1 + rng.below(8) {
                    b.insert(at, rng.next() as u8);
                }
            } else {
                let n = (1 + rng.below(8)).min(b.len() - at);
                b.drain(at..at + n);
            }
        }
        _ => {
            for _ in 0..1 + rng.below(4) {
                let at = 8 + rng.below(b.len() - 8);
                b[at] ^= 1 << rng.below(8);
            }
        }
    }
    b
}

/// A section's size field made wrong, the payload left as it was.
fn bogus_section_size(obj: &[u8], rng: &mut Rng) -> Option<Vec<u8>> {
    let secs = sections(obj)?;
    let i = rng.below(secs.len());
    let mut out = encode(&secs[..i], obj);
    out.push(secs[i].id);
    let len = secs[i].payload.len() as u64;
    let size = match rng.below(4) {
        0 => len + 1 + rng.below(16) as u64,
        1 => len.saturating_sub(1 + rng.below(16) as u64),
        _ => hostile(rng, len),
    };
    leb(size, &mut out);
    out.extend_from_slice(&secs[i].payload);
    out.extend_from_slice(&encode(&secs[i + 1..], obj)[8..]);
    Some(out)
}

/// The leading count of a section, a `linking` subsection or a relocation section, made
/// hostile; every enclosing size stays right.
fn bogus_count(obj: &[u8], rng: &mut Rng) -> Option<Vec<u8>> {
    let mut secs = sections(obj)?;
    // (section, where the count is; for `linking`, the subsection)
    let mut places: Vec<(usize, Option<usize>)> = Vec::new();
    for (i, s) in secs.iter().enumerate() {
        match custom_name(s) {
            None if matches!(s.id, 1..=7 | 9..=11) => places.push((i, None)),
            Some(b"linking") => {
                let (_, subs) = subsections(&s.payload)?;
                for (j, (ty, _)) in subs.iter().enumerate() {
                    if matches!(ty, 5..=8) {
                        places.push((i, Some(j)));
                    }
                }
            }
            Some(n) if n.starts_with(b"reloc.") => places.push((i, None)),
            _ => {}
        }
    }
    if places.is_empty() {
        return None;
    }
    let (i, sub) = places[rng.below(places.len())];
    let s = &mut secs[i];
    match sub {
        Some(j) => {
            let (head, mut subs) = subsections(&s.payload)?;
            let old = read_leb(&subs[j].1, &mut 0)?;
            subs[j].1 = replace_leb(&subs[j].1, 0, hostile(rng, old))?;
            s.payload = encode_linking(&s.payload[..head], &subs);
        }
        None => {
            let mut at = 0;
            if s.id == 0 {
                read_name(&s.payload, &mut at)?;
                read_leb(&s.payload, &mut at)?; // the section index
            }
            let old = read_leb(&s.payload, &mut at.clone())?;
            s.payload = replace_leb(&s.payload, at, hostile(rng, old))?;
        }
    }
    Some(encode(&secs, obj))
}

/// The `linking` section and the subsection of type `ty` in it, if any.
fn linking_subsection(secs: &[Section], ty: u8) -> Option<Place> {
    let i = secs
        .iter()
        .position(|s| custom_name(s) == Some(b"linking"))?;
    let (_, subs) = subsections(&secs[i].payload)?;
    let j = subs.iter().position(|(t, _)| *t == ty)?;
    Some((i, j))
}

/// Where a `linking` subsection is: the section's and the subsection's positions.
type Place = (usize, usize);

/// The object's sections, where its `linking` subsection of type `ty` is, and that
/// subsection's payload.
fn with_subsection(obj: &[u8], ty: u8) -> Option<(Vec<Section>, Place, Vec<u8>)> {
    let secs = sections(obj)?;
    let (i, j) = linking_subsection(&secs, ty)?;
    let (_, mut subs) = subsections(&secs[i].payload)?;
    let payload = std::mem::take(&mut subs[j].1);
    Some((secs, (i, j), payload))
}

/// Rewrites the LEB field at `field_at` of subsection `(i, j)` to `value`.
fn rewrite_subsection(
    secs: &mut [Section],
    (i, j): Place,
    field_at: usize,
    value: u64,
) -> Option<()> {
    let (head, mut subs) = subsections(&secs[i].payload)?;
    subs[j].1 = replace_leb(&subs[j].1, field_at, value)?;
    secs[i].payload = encode_linking(&secs[i].payload[..head], &subs);
    Some(())
}

/// One data segment's alignment (log2) in `WASM_SEGMENT_INFO` made huge.
fn huge_alignment(obj: &[u8], rng: &mut Rng) -> Option<Vec<u8>> {
    let (mut secs, place, p) = with_subsection(obj, 5)?;
    let p = &p;
    let mut at = 0;
    let n = read_leb(p, &mut at)?;
    let mut fields = Vec::new();
    for _ in 0..n {
        read_name(p, &mut at)?;
        fields.push(at);
        read_leb(p, &mut at)?;
        read_leb(p, &mut at)?; // flags
    }
    if fields.is_empty() {
        return None;
    }
    let at = fields[rng.below(fields.len())];
    let value = rng.pick(&[12, 16, 20, 24, 26, 28, 30, 31, 32, 63, 64, u32::MAX as u64]);
    rewrite_subsection(&mut secs, place, at, value)?;
    Some(encode(&secs, obj))
}

/// One field (index, segment, offset or size) of one symbol-table entry made hostile.
fn bogus_symbol_field(obj: &[u8], rng: &mut Rng) -> Option<Vec<u8>> {
    let (mut secs, place, p) = with_subsection(obj, 8)?;
    let p = &p;
    let mut at = 0;
    let n = read_leb(p, &mut at)?;
    let mut fields = Vec::new();
    for _ in 0..n {
        let kind = *p.get(at)?;
        at += 1;
        let flags = read_leb(p, &mut at)?;
        let undefined = flags & 0x10 != 0;
        match kind {
            1 => {
                read_name(p, &mut at)?;
                if !undefined {
                    for _ in 0..3 {
                        fields.push(at);
                        read_leb(p, &mut at)?;
                    }
                }
            }
            3 => {
                fields.push(at);
                read_leb(p, &mut at)?;
            }
            _ => {
                fields.push(at);
                read_leb(p, &mut at)?;
                if !undefined || flags & 0x40 != 0 {
                    read_name(p, &mut at)?;
                }
            }
        }
    }
    if fields.is_empty() {
        return None;
    }
    let at = fields[rng.below(fields.len())];
    let old = read_leb(p, &mut at.clone())?;
    rewrite_subsection(&mut secs, place, at, hostile(rng, old))?;
    Some(encode(&secs, obj))
}

/// One field (offset or index) of one relocation made hostile.
fn bogus_reloc_field(obj: &[u8], rng: &mut Rng) -> Option<Vec<u8>> {
    let mut secs = sections(obj)?;
    let relocs: Vec<usize> = (0..secs.len())
        .filter(|&i| custom_name(&secs[i]).is_some_and(|n| n.starts_with(b"reloc.")))
        .collect();
    if relocs.is_empty() {
        return None;
    }
    let i = relocs[rng.below(relocs.len())];
    let p = &secs[i].payload;
    let mut at = 0;
    read_name(p, &mut at)?;
    read_leb(p, &mut at)?;
    let n = read_leb(p, &mut at)?;
    let mut fields = Vec::new();
    for _ in 0..n {
        let ty = *p.get(at)?;
        at += 1;
        fields.push(at);
        read_leb(p, &mut at)?;
        fields.push(at);
        read_leb(p, &mut at)?;
        if WITH_ADDEND.contains(&ty) {
            skip_leb(p, &mut at)?;
        }
    }
    if fields.is_empty() {
        return None;
    }
    let at = fields[rng.below(fields.len())];
    let old = read_leb(p, &mut at.clone())?;
    secs[i].payload = replace_leb(p, at, hostile(rng, old))?;
    Some(encode(&secs, obj))
}

/// An `ar` member: its name and bytes.
pub type Member = (String, Vec<u8>);

/// Writes a GNU `ar` archive without a symbol index (weld then reads the members' symbols, as
/// wasm-ld 22 does); names longer than 15 bytes are not needed here.
pub fn write_archive(members: &[Member]) -> Vec<u8> {
    let mut out = b"!<arch>\n".to_vec();
    for (name, bytes) in members {
        let header = format!(
            "{:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n",
            format!("{name}/"),
            0,
            0,
            0,
            644,
            bytes.len()
        );
        assert_eq!(header.len(), 60);
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(bytes);
        if bytes.len() % 2 == 1 {
            out.push(b'\n');
        }
    }
    out
}

/// The members of an `ar` archive (headers as written by llvm-ar or [`write_archive`]), with
/// each header's offset: (header offset, member name field, data range).
fn members(ar: &[u8]) -> Option<Vec<(usize, String, std::ops::Range<usize>)>> {
    let mut at = 8;
    let mut out = Vec::new();
    while at + 60 <= ar.len() {
        let h = &ar[at..at + 60];
        let name = String::from_utf8_lossy(&h[..16]).trim_end().to_string();
        let size: usize = std::str::from_utf8(&h[48..58]).ok()?.trim().parse().ok()?;
        let data = at + 60..(at + 60).checked_add(size)?;
        if data.end > ar.len() {
            return None;
        }
        out.push((at, name, data.clone()));
        at = data.end + data.end % 2;
    }
    Some(out)
}

/// Applies archive mutation `kind` (an index into [`ARCHIVE_KINDS`]) to `ar`.
pub fn mutate_archive(ar: &[u8], kind: usize, rng: &mut Rng) -> Vec<u8> {
    let list = members(ar).unwrap_or_default();
    let mut b = ar.to_vec();
    match kind {
        1 => b.truncate(rng.below(b.len())),
        2 if !list.is_empty() => {
            let (at, _, _) = list[rng.below(list.len())];
            // The size field, the name, the terminator or the mode.
            let (field, len) = rng.pick(&[(48, 10), (0, 16), (58, 2), (40, 8)]);
            let text = rng.pick(&[
                "4294967295",
                "-1",
                "99999999999",
                "0",
                "1x",
                "/999999",
                "#1/999999",
                "",
                "12345678901234567890",
            ]);
            let mut v = text.as_bytes().to_vec();
            v.resize(len, b' ');
            v.truncate(len);
            b[at + field..at + field + len].copy_from_slice(&v);
        }
        3 if list.first().is_some_and(|(_, n, _)| n == "/") => {
            // GNU symbol index: a big-endian count, offsets, then names.
            let (_, _, data) = &list[0];
            let slot = 4 * rng.below(data.len() / 4);
            let random = rng.next() as u32;
            let value = rng.pick(&[u32::MAX, 0x7fff_ffff, 1 << 28, 8, 0, random]);
            b[data.start + slot..data.start + slot + 4].copy_from_slice(&value.to_be_bytes());
        }
        4 => {
            let wasm: Vec<_> = list
                .iter()
                .filter(|(_, _, d)| ar[d.clone()].starts_with(b"\0asm"))
                .collect();
            if let Some((at, _, data)) = wasm.get(rng.below(wasm.len().max(1))).copied() {
                let member = mutate_object(&ar[data.clone()], rng.below(OBJECT_KINDS.len()), rng);
                // The header's size follows the member's new size.
                let mut out = ar[..*at].to_vec();
                let mut header = ar[*at..*at + 60].to_vec();
                let size = format!("{:<10}", member.len());
                header[48..58].copy_from_slice(size.as_bytes());
                out.extend_from_slice(&header);
                out.extend_from_slice(&member);
                if member.len() % 2 == 1 {
                    out.push(b'\n');
                }
                let rest = data.end + data.end % 2;
                out.extend_from_slice(&ar[rest.min(ar.len())..]);
                return out;
            }
            return mutate_archive(ar, 0, rng);
        }
        5 => {
            // The archive, as the only member of an archive, `depth` times over.
            let depth = rng.pick(&[1, 2, 8, 64, 1000]);
            let mut nested = b;
            for d in 0..depth {
                nested = write_archive(&[(format!("nest{d}.a"), nested)]);
            }
            return nested;
        }
        _ => {
            if rng.below(2) == 0 {
                for _ in 0..1 + rng.below(4) {
                    let at = 8 + rng.below(b.len() - 8);
                    b[at] ^= 1 << rng.below(8);
                }
            } else {
                let at = 8 + rng.below(b.len() - 8);
                let n = (2 + rng.below(63)).min(b.len() - at);
                b[at..at + n].fill(rng.pick(&[0x00, 0xff, b' ', b'9']));
            }
        }
    }
    b
}
