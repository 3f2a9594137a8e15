//! String merging, shared by data segments (`WASM_SEGMENT_FLAG_STRINGS`) and the debug string
//! sections: identical NUL-terminated strings are stored once, laid out as LLVM's
//! `StringTableBuilder::finalize` does so that addresses match wasm-ld's.

use rustc_hash::FxHashMap;

/// Distinct strings collected from several inputs, and where each input's strings went.
#[derive(Default)]
pub struct StringMerger<'a> {
    strings: Vec<&'a [u8]>,
    ids: FxHashMap<&'a [u8], u32>,
}

impl<'a> StringMerger<'a> {
    /// Adds the strings of one input (each up to and including its NUL; a last string without
    /// one runs to the end) and returns them as (offset in the input, string id).
    pub fn add(&mut self, data: &'a [u8]) -> Vec<(u32, u32)> {
        let mut pieces = Vec::new();
        let mut start = 0usize;
        while start < data.len() {
            let end = data[start..]
                .iter()
                .position(|&b| b == 0)
                .map_or(data.len(), |n| start + n + 1);
            let piece = &data[start..end];
            let strings = &mut self.strings;
            let id = *self.ids.entry(piece).or_insert_with(|| {
                strings.push(piece);
                strings.len() as u32 - 1
            });
            pieces.push((start as u32, id));
            start = end;
        }
        pieces
    }

    /// Whether no string was added.
    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }

    /// The merged bytes and each string id's offset in them. Strings are sorted by their
    /// reversed bytes, descending, so that a string that ends the previous one shares its bytes
    /// (tail merging); the order is total, so the result does not depend on input order.
    pub fn finish(&self) -> (Vec<u8>, Vec<u64>) {
        use rayon::prelude::*;
        let list = &self.strings;
        // Each string reversed, once, so that comparisons are plain slice comparisons (memcmp)
        // rather than byte-by-byte walks of reversed iterators; the debug string sections of a
        // large program hold hundreds of thousands of strings.
        let mut reversed: Vec<u8> = Vec::with_capacity(list.iter().map(|s| s.len()).sum());
        let mut spans = Vec::with_capacity(list.len());
        for s in list {
            spans.push(reversed.len()..reversed.len() + s.len());
            reversed.extend(s.iter().rev());
        }
        let key = |id: u32| &reversed[spans[id as usize].clone()];
        let mut order: Vec<u32> = (0..list.len() as u32).collect();
        // Distinct strings: the order is total, so an unstable parallel sort is deterministic.
        order.par_sort_unstable_by(|&a, &b| key(b).cmp(key(a)));
        let mut bytes = Vec::new();
        let mut offsets = vec![0u64; list.len()];
        let mut previous: &[u8] = &[];
        for id in order {
            let s = list[id as usize];
            if previous.ends_with(s) {
                offsets[id as usize] = (bytes.len() - s.len()) as u64;
                continue;
            }
            offsets[id as usize] = bytes.len() as u64;
            bytes.extend_from_slice(s);
            previous = s;
        }
        (bytes, offsets)
    }
}

/// Maps an input offset through merged pieces (sorted by input offset) to an output offset.
pub fn map_offset(pieces: &[(u32, u64)], offset: u32) -> Option<u64> {
    let i = pieces.partition_point(|p| p.0 <= offset).checked_sub(1)?;
    let (start, out) = pieces[i];
    Some(out + (offset - start) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_share_and_suffixes_tail_merge() {
        let mut m = StringMerger::default();
        let a = m.add(b"hello\0lo\0x\0");
        let b = m.add(b"lo\0hello\0");
        let (bytes, offsets) = m.finish();
        // "lo\0" is the tail of "hello\0"; "x\0" sorts before both (x > o).
        assert_eq!(bytes, b"x\0hello\0");
        let at = |pieces: &[(u32, u32)], i: usize| offsets[pieces[i].1 as usize];
        assert_eq!(at(&a, 0), 2);
        assert_eq!(at(&a, 1), 5);
        assert_eq!(at(&a, 2), 0);
        assert_eq!(at(&b, 0), 5);
        assert_eq!(at(&b, 1), 2);
    }
}
