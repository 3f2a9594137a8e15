//! Typed indices of the output's index spaces, so that a function index cannot be passed where
//! a global or type index is meant, and "not in the output" is `None` rather than a sentinel.
//!
//! Each stores its value plus one in a `NonZeroU32`: `Option<FuncIdx>` then takes 4 bytes, as
//! a bare `u32` does, which matters for the per-symbol tables of large links.

use std::num::NonZeroU32;

macro_rules! out_index {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(NonZeroU32);

        impl $name {
            /// The index `i` (below `u32::MAX`, which no wasm index space reaches).
            #[inline]
            pub fn new(i: u32) -> Self {
                Self(NonZeroU32::new(i.wrapping_add(1)).expect("an index below u32::MAX"))
            }

            /// The index as the binary writes it.
            #[inline]
            pub fn get(self) -> u32 {
                self.0.get() - 1
            }

            /// The index as a `usize`, for indexing a `Vec`.
            #[inline]
            pub fn idx(self) -> usize {
                self.get() as usize
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({})", stringify!($name), self.get())
            }
        }
    };
}

out_index!(
    /// An index of the output's function space (imports first).
    FuncIdx
);
out_index!(
    /// An index of the output's global space (imports first).
    GlobalIdx
);
out_index!(
    /// An index of the output's type section.
    TypeIdx
);
out_index!(
    /// An output table number (imports first).
    TableIdx
);
out_index!(
    /// An index of the output's tag space (imports first).
    TagIdx
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_stays_small() {
        for i in [0, 1, 77, u32::MAX - 1] {
            assert_eq!(FuncIdx::new(i).get(), i);
        }
        assert_eq!(std::mem::size_of::<Option<GlobalIdx>>(), 4);
        assert!(TypeIdx::new(3) < TypeIdx::new(4));
    }
}
