//! `--compress-relocations`: code with every relocated LEB field re-encoded in its shortest
//! form, as wasm-ld writes it. Objects pad those fields to their widest (5 or 10 bytes) so
//! that a linker can patch them in place; once patched, the padding is only size.

use wasm_encoder::Encode;
use wasmparser::BinaryReader;

use crate::model::Reloc;
use crate::reloc::{self, Field};

/// A relocated function body with each LEB relocation field shortened. `body` is the body as
/// patched in place (fields at their padded width), `relocs` its relocations in offset order.
pub fn compress_body(body: &[u8], relocs: &[Reloc]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut at = 0usize;
    for r in relocs {
        let field = reloc::info(r.ty).field;
        let width = match field {
            Field::Uleb32 | Field::Sleb32 => 5,
            Field::Uleb64 | Field::Sleb64 => 10,
            _ => continue,
        };
        let start = r.offset as usize;
        let Some(bytes) = body.get(start..start + width) else {
            continue;
        };
        if start < at {
            continue;
        }
        out.extend_from_slice(&body[at..start]);
        // The fields were just written by the linker, so they decode.
        let mut rd = BinaryReader::new(bytes, 0);
        match field {
            Field::Uleb32 => rd.read_var_u32().unwrap_or(0).encode(&mut out),
            Field::Sleb32 => rd.read_var_i32().unwrap_or(0).encode(&mut out),
            Field::Uleb64 => rd.read_var_u64().unwrap_or(0).encode(&mut out),
            _ => rd.read_var_i64().unwrap_or(0).encode(&mut out),
        }
        at = start + width;
    }
    out.extend_from_slice(&body[at..]);
    out
}
