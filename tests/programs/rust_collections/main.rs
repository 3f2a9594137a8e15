// Collections: HashMap (seeded from random_get), BTreeMap, BTreeSet, VecDeque, BinaryHeap, sorting.
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, VecDeque};

fn main() {
    let text = "the quick brown fox jumps over the lazy dog the end";
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for w in text.split_whitespace() {
        *counts.entry(w).or_default() += 1;
    }
    let mut pairs: Vec<_> = counts.into_iter().collect();
    pairs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    println!("{pairs:?}");

    let mut tree = BTreeMap::new();
    for i in 0..1000u32 {
        tree.insert(i.wrapping_mul(2654435761) % 997, i);
    }
    let first: Vec<_> = tree.iter().take(5).collect();
    println!("{} {first:?} {:?}", tree.len(), tree.range(500..505).collect::<Vec<_>>());

    let set: BTreeSet<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    println!("{}", set.iter().collect::<String>());

    let mut dq: VecDeque<i32> = (0..10).collect();
    dq.rotate_left(3);
    dq.push_front(-1);
    println!("{dq:?}");

    let mut heap: BinaryHeap<(u8, &str)> = BinaryHeap::new();
    for (p, n) in [(3, "c"), (9, "z"), (1, "a"), (5, "m")] {
        heap.push((p, n));
    }
    while let Some((p, n)) = heap.pop() {
        print!("{p}{n} ");
    }
    println!();

    let mut v: Vec<u64> = (0..5000).map(|i: u64| i.wrapping_mul(6364136223846793005) >> 40).collect();
    v.sort_unstable();
    v.dedup();
    println!("{} {:?} {:?}", v.len(), &v[..4], v.binary_search(&v[100]));
    let s: String = vec!["a", "b", "c"].join("-").repeat(3);
    println!("{s} {}", s.to_uppercase());
}
