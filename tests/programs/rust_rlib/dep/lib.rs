//! A library crate linked as an rlib: generic code instantiated by the caller, a trait,
//! a static with interior mutability and a non-generic function compiled here.
use std::sync::atomic::{AtomicU32, Ordering};

pub static CALLS: AtomicU32 = AtomicU32::new(0);

pub trait Describe {
    fn describe(&self) -> String;
}

impl Describe for u8 {
    fn describe(&self) -> String {
        format!("byte {self}")
    }
}

pub fn checksum(data: &[u8]) -> u32 {
    CALLS.fetch_add(1, Ordering::Relaxed);
    data.iter().fold(0x811c9dc5u32, |h, &b| (h ^ b as u32).wrapping_mul(0x01000193))
}

pub fn largest<T: PartialOrd + Copy>(items: &[T]) -> Option<T> {
    let mut it = items.iter().copied();
    let first = it.next()?;
    Some(it.fold(first, |m, x| if x > m { x } else { m }))
}
