//! The iteration order of LLVM's `StringSet`, which wasm-ld walks to handle `--export` names:
//! the order in which their archive members are loaded, and so the output's function order.
//!
//! Written by hand because no crate reproduces it: an open-addressing table of 32-bit XXH3
//! hashes with quadratic probing, starting at 16 buckets and doubling past 3/4 full, iterated in
//! bucket order (llvm/lib/Support/StringMap.cpp).

/// `names` (duplicates dropped) in the order an LLVM `StringSet` they were inserted into, in
/// this order, iterates them.
pub fn llvm_order<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    // Buckets hold (hash, name).
    let mut buckets: Vec<Option<(u32, &'a str)>> = vec![None; 16];
    let mut items = 0usize;
    for name in names {
        let hash = xxhash_rust::xxh3::xxh3_64(name.as_bytes()) as u32;
        let size = buckets.len();
        let mut at = hash as usize & (size - 1);
        let mut probe = 1;
        let mut present = false;
        while let Some((h, n)) = buckets[at] {
            if h == hash && n == name {
                present = true;
                break;
            }
            at = (at + probe) & (size - 1);
            probe += 1;
        }
        if present {
            continue;
        }
        buckets[at] = Some((hash, name));
        items += 1;
        if items * 4 > size * 3 {
            buckets = rehash(&buckets, size * 2);
        }
    }
    buckets.into_iter().flatten().map(|(_, n)| n).collect()
}

/// The table re-laid into `size` buckets, entries taken in bucket order.
fn rehash<'a>(old: &[Option<(u32, &'a str)>], size: usize) -> Vec<Option<(u32, &'a str)>> {
    let mut new = vec![None; size];
    for &(hash, name) in old.iter().flatten() {
        let mut at = hash as usize & (size - 1);
        let mut probe = 1;
        while new[at].is_some() {
            at = (at + probe) & (size - 1);
            probe += 1;
        }
        new[at] = Some((hash, name));
    }
    new
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_dropped_and_every_name_is_kept() {
        let names: Vec<String> = (0..100).map(|i| format!("name{i}")).collect();
        let mut with_dups: Vec<&str> = names.iter().map(String::as_str).collect();
        with_dups.extend(names.iter().take(10).map(String::as_str));
        let order = llvm_order(with_dups);
        assert_eq!(order.len(), 100);
        let mut sorted = order.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 100);
    }
}
