//! `--build-id`: a `build_id` custom section holding an identifier of the output, computed as
//! wasm-ld computes it so that the same link gives the same id with either linker.

use rayon::prelude::*;
use sha1::{Digest, Sha1};

use crate::error::{Error, Result};

/// What `--build-id` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildId {
    /// `fast` (and `--build-id` alone): a version-5 UUID of the output's XXH3 hash.
    Fast,
    /// `sha1`: the output's SHA-1 (20 bytes).
    Sha1,
    /// `uuid`: a random version-4 UUID (different on every link, by design).
    Uuid,
    /// `0x<hex>`: these bytes.
    Hex(Vec<u8>),
}

impl BuildId {
    /// Parses `--build-id[=VALUE]`; `none` turns it off.
    pub fn parse(value: Option<&str>) -> Result<Option<BuildId>> {
        Ok(Some(match value {
            None | Some("fast") => BuildId::Fast,
            Some("sha1" | "tree") => BuildId::Sha1,
            Some("uuid") => BuildId::Uuid,
            Some("none") => return Ok(None),
            Some(v) => match v.strip_prefix("0x") {
                Some(hex) => BuildId::Hex(parse_hex(hex).ok_or_else(|| {
                    Error::msg(format!("--build-id=0x{hex}: not a hexadecimal string"))
                })?),
                None => return Err(Error::msg(format!("unknown --build-id style: {v}"))),
            },
        }))
    }

    /// Bytes of the id.
    fn size(&self) -> usize {
        match self {
            BuildId::Fast | BuildId::Uuid => 16,
            BuildId::Sha1 => 20,
            BuildId::Hex(bytes) => bytes.len(),
        }
    }
}

fn parse_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Appends the `build_id` section to a finished module: the id's length and as many
/// placeholder bytes, then the id computed over the whole module with the placeholder in
/// place, as wasm-ld does.
pub fn append(module: &mut Vec<u8>, kind: &BuildId) -> Result<()> {
    let size = kind.size();
    let mut payload = Vec::new();
    push_name(&mut payload, "build_id");
    leb128_u32(&mut payload, size as u32);
    let id_at = payload.len();
    // wasm-ld's placeholder is spaces; the id is the hash of the module with them in place.
    payload.resize(id_at + size, b' ');
    module.push(0); // custom section
    leb128_u32(module, payload.len() as u32);
    let start = module.len();
    module.extend_from_slice(&payload);
    let id = match kind {
        BuildId::Hex(bytes) => bytes.clone(),
        BuildId::Fast => {
            let hash = chunked(module, 8, |c| {
                xxhash_rust::xxh3::xxh3_64(c).to_le_bytes().to_vec()
            });
            uuid_v5(&hash).to_vec()
        }
        BuildId::Sha1 => chunked(module, 20, |c| Sha1::digest(c).to_vec()),
        BuildId::Uuid => {
            let mut bytes = [0u8; 16];
            getrandom::fill(&mut bytes)
                .map_err(|e| Error::msg(format!("entropy source failure: {e}")))?;
            set_uuid_fields(&mut bytes, 4);
            bytes.to_vec()
        }
    };
    module[start + id_at..start + id_at + size].copy_from_slice(&id);
    Ok(())
}

/// wasm-ld's hash of a large buffer: each 1 MiB chunk hashed (in parallel), then the hash of
/// the concatenated hashes.
fn chunked(data: &[u8], size: usize, hash: impl Fn(&[u8]) -> Vec<u8> + Sync) -> Vec<u8> {
    let hashes: Vec<u8> = data
        .par_chunks(1 << 20)
        .map(&hash)
        .collect::<Vec<_>>()
        .concat();
    let out = hash(&hashes);
    debug_assert_eq!(out.len(), size);
    out
}

/// A version-5 UUID: the SHA-1 of wasm-ld's fixed namespace followed by `name`.
fn uuid_v5(name: &[u8]) -> [u8; 16] {
    // The namespace wasm-ld hard-codes for `--build-id=fast`.
    const NAMESPACE: [u8; 16] = [
        0xA1, 0xFA, 0x48, 0x2D, 0x0E, 0x22, 0x03, 0x8D, 0x33, 0x8B, 0x52, 0x1C, 0xD6, 0xD2, 0x12,
        0xB2,
    ];
    let mut sha = Sha1::new();
    sha.update(NAMESPACE);
    sha.update(name);
    let digest = sha.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    set_uuid_fields(&mut out, 5);
    out
}

/// Sets a UUID's version nibble and its DCE 1.1 variant bits.
fn set_uuid_fields(uuid: &mut [u8; 16], version: u8) {
    uuid[6] = (version << 4) | (uuid[6] & 0x0F);
    uuid[8] = (uuid[8] & 0xBF) | 0x80;
}

fn push_name(out: &mut Vec<u8>, name: &str) {
    leb128_u32(out, name.len() as u32);
    out.extend_from_slice(name.as_bytes());
}

fn leb128_u32(out: &mut Vec<u8>, v: u32) {
    use wasm_encoder::Encode;
    v.encode(out);
}
