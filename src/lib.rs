//! weld library.
