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
        split(data)
            .map(|(start, piece)| {
                let strings = &mut self.strings;
                let id = *self.ids.entry(piece).or_insert_with(|| {
                    strings.push(piece);
                    strings.len() as u32 - 1
                });
                (start, id)
            })
            .collect()
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

/// The strings of `data` with their offsets: each up to and including its NUL; a last string
/// without one runs to the end.
fn split(data: &[u8]) -> impl Iterator<Item = (u32, &[u8])> {
    let mut start = 0usize;
    std::iter::from_fn(move || {
        if start >= data.len() {
            return None;
        }
        let end = data[start..]
            .iter()
            .position(|&b| b == 0)
            .map_or(data.len(), |n| start + n + 1);
        let piece = (start as u32, &data[start..end]);
        start = end;
        Some(piece)
    })
}

/// Merges the strings of many inputs at once, in parallel: the same bytes as adding each input
/// to a [`StringMerger`] in turn and finishing it, and, per input, its strings as (offset in
/// the input, offset in the merged bytes).
///
/// Strings are split and hashed per input in parallel, then deduplicated in shards chosen by
/// hash (each shard in parallel); the final layout sorts the distinct strings by content, so
/// neither the sharding nor the thread count can change the result.
pub fn merge_all(inputs: &[&[u8]]) -> (Vec<u8>, Vec<Vec<(u32, u32)>>) {
    use rayon::prelude::*;
    use std::hash::{BuildHasher, Hash, Hasher};
    // The shard count only divides the work: the result is the same for any count.
    let shards_n = rayon::current_num_threads().max(1) * 2;
    let hasher = rustc_hash::FxBuildHasher;
    // Per input: its strings as (offset, length, hash); compact, as there can be millions.
    let split: Vec<Vec<(u32, u32, u64)>> = inputs
        .par_iter()
        .map(|data| {
            split(data)
                .map(|(start, piece)| (start, piece.len() as u32, hasher.hash_one(piece)))
                .collect()
        })
        .collect();
    let piece = |input: usize, start: u32, len: u32| {
        &inputs[input][start as usize..start as usize + len as usize]
    };
    /// A string keyed by its precomputed hash.
    #[derive(PartialEq, Eq)]
    struct Key<'s>(u64, &'s [u8]);
    impl Hash for Key<'_> {
        fn hash<H: Hasher>(&self, h: &mut H) {
            h.write_u64(self.0);
        }
    }
    /// A shard's distinct strings, in order of first appearance, and their ids.
    type Shard<'s> = (Vec<&'s [u8]>, FxHashMap<Key<'s>, u32>);
    let shards: Vec<Shard<'_>> = (0..shards_n)
        .into_par_iter()
        .map(|shard| {
            let mut strings = Vec::new();
            let mut ids: FxHashMap<Key<'_>, u32> = FxHashMap::default();
            for (input, pieces) in split.iter().enumerate() {
                for &(start, len, h) in pieces {
                    if (h >> 32) as usize % shards_n == shard {
                        let piece = piece(input, start, len);
                        ids.entry(Key(h, piece)).or_insert_with(|| {
                            strings.push(piece);
                            strings.len() as u32 - 1
                        });
                    }
                }
            }
            (strings, ids)
        })
        .collect();
    let mut merger = StringMerger::default();
    let mut base = Vec::with_capacity(shards_n);
    for (strings, _) in &shards {
        base.push(merger.strings.len() as u32);
        merger.strings.extend_from_slice(strings);
    }
    let (bytes, offsets) = merger.finish();
    // DWARF32 string offsets are 32-bit: past 4 GiB the relocations could not hold them, and
    // the writer rejects such a section before these are used.
    let mapped = split
        .par_iter()
        .enumerate()
        .map(|(input, pieces)| {
            pieces
                .iter()
                .map(|&(start, len, h)| {
                    let shard = (h >> 32) as usize % shards_n;
                    let id = base[shard] + shards[shard].1[&Key(h, piece(input, start, len))];
                    (start, offsets[id as usize] as u32)
                })
                .collect()
        })
        .collect();
    (bytes, mapped)
}

/// Maps an input offset through merged pieces (sorted by input offset) to an output offset.
pub fn map_offset<T: Into<u64> + Copy>(pieces: &[(u32, T)], offset: u32) -> Option<u64> {
    let i = pieces.partition_point(|p| p.0 <= offset).checked_sub(1)?;
    let (start, out) = pieces[i];
    Some(out.into() + (offset - start) as u64)
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

    #[test]
    fn merging_all_at_once_matches_one_by_one() {
        let inputs: Vec<Vec<u8>> = (0..40u32)
            .map(|i| {
                let mut v = Vec::new();
                for k in 0..(i % 7) * 3 {
                    v.extend_from_slice(format!("s{}_{}\0", (i * 7 + k) % 23, k % 3).as_bytes());
                }
                v.extend_from_slice(b"tail");
                v
            })
            .collect();
        let refs: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
        let mut m = StringMerger::default();
        let ids: Vec<Vec<(u32, u32)>> = refs.iter().map(|d| m.add(d)).collect();
        let (bytes, offsets) = m.finish();
        let (all_bytes, all) = merge_all(&refs);
        assert_eq!(all_bytes, bytes);
        for (one, many) in ids.iter().zip(&all) {
            let expected: Vec<(u32, u32)> = one
                .iter()
                .map(|&(s, id)| (s, offsets[id as usize] as u32))
                .collect();
            assert_eq!(&expected, many);
        }
    }
}
