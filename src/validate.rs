//! Validation of the output with wasmparser, function bodies in parallel. A failure names the
//! input that the offending function or segment came from, so that a bad object is traced back
//! to its file rather than reported as an anonymous invalid module.

use rayon::prelude::*;
use wasmparser::{Parser, ValidPayload, Validator, WasmFeatures};

use crate::error::{Error, Result};

/// Validates `bytes`. `describe(i)` names defined function `i` (in code-section order) for
/// diagnostics.
pub fn validate(bytes: &[u8], describe: &(dyn Fn(usize) -> String + Sync)) -> Result<()> {
    let mut validator = Validator::new_with_features(WasmFeatures::all());
    let mut funcs = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| invalid(e, None))?;
        match validator.payload(&payload).map_err(|e| invalid(e, None))? {
            ValidPayload::Func(to_validate, body) => funcs.push((to_validate, body)),
            ValidPayload::End(_) => break,
            _ => {}
        }
    }
    let first_error = funcs
        .into_par_iter()
        .enumerate()
        .map(|(i, (to_validate, body))| {
            let mut v = to_validate.into_validator(Default::default());
            v.validate(&body).map_err(|e| (i, e))
        })
        .filter_map(|r| r.err())
        .min_by_key(|(i, _)| *i);
    match first_error {
        Some((i, e)) => Err(invalid(e, Some(describe(i)))),
        None => Ok(()),
    }
}

fn invalid(e: wasmparser::BinaryReaderError, func: Option<String>) -> Error {
    let place = func.map(|f| format!(" in {f}")).unwrap_or_default();
    Error::msg(format!(
        "output would be an invalid module{place}: {} (at offset {:#x}); not written",
        e.message(),
        e.offset()
    ))
}
