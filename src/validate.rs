//! Validation of the output with wasmparser. A failure names the input that the offending
//! function or segment came from, so that a bad object is traced back to its file rather than
//! reported as an anonymous invalid module.
//!
//! The writer validates as it writes ([`Incremental`]): the sections before the code section
//! once they are written, each function body right after it is relocated (in parallel, while
//! the body is still in cache), and the sections after the code section at the end. That saves
//! a second pass over the output; [`validate`] is that second pass, for outputs the writer
//! rewrites after the fact (`--compress-relocations`).

use std::ops::Range;

use rayon::prelude::*;
use wasmparser::{
    BinaryReader, Chunk, FuncToValidate, FuncValidatorAllocations, FunctionBody, Parser,
    ValidPayload, Validator, ValidatorResources, WasmFeatures,
};

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
        // Each thread reuses one validator's buffers for all the functions it validates.
        .map_init(
            || None,
            |allocs: &mut Option<FuncValidatorAllocations>, (i, (to_validate, body))| {
                validate_body(to_validate, &body, allocs).map_err(|e| (i, e))
            },
        )
        .filter_map(|r| r.err())
        .min_by_key(|(i, _)| *i);
    match first_error {
        Some((i, e)) => Err(invalid(e, Some(describe(i)))),
        None => Ok(()),
    }
}

/// Validates one function body, reusing (and giving back) a thread's validator buffers.
pub fn validate_body(
    to_validate: FuncToValidate<ValidatorResources>,
    body: &FunctionBody<'_>,
    allocs: &mut Option<FuncValidatorAllocations>,
) -> std::result::Result<(), wasmparser::BinaryReaderError> {
    let mut v = to_validate.into_validator(allocs.take().unwrap_or_default());
    let r = v.validate(body);
    *allocs = Some(v.into_allocations());
    r
}

/// A validator fed with the output as the writer produces it.
pub struct Incremental {
    validator: Validator,
    parser: Parser,
    /// How far the output has been validated.
    pos: usize,
}

impl Default for Incremental {
    fn default() -> Self {
        Incremental {
            validator: Validator::new_with_features(WasmFeatures::all()),
            parser: Parser::new(0),
            pos: 0,
        }
    }
}

impl Incremental {
    /// Validates the whole sections of `module[..end]` not validated yet; with `eof`, `end` is
    /// the end of the module. A code section met here is skipped: its bodies are announced
    /// with [`Self::code`] and checked with [`validate_body`].
    pub fn sections(&mut self, module: &[u8], end: usize, eof: bool) -> Result<()> {
        loop {
            let data = &module[self.pos..end];
            let (consumed, payload) = match self.parser.parse(data, eof) {
                Ok(Chunk::NeedMoreData(_)) if !eof => return Ok(()),
                Ok(Chunk::NeedMoreData(_)) => {
                    return Err(Error::msg(
                        "output would be an invalid module: truncated; not written",
                    ));
                }
                Ok(Chunk::Parsed { consumed, payload }) => (consumed, payload),
                Err(e) => return Err(invalid(e, None)),
            };
            self.pos += consumed;
            match payload {
                wasmparser::Payload::CodeSectionStart { size, .. } => {
                    self.parser.skip_section();
                    self.pos += size as usize;
                }
                payload => {
                    let end = matches!(payload, wasmparser::Payload::End(_));
                    self.validator
                        .payload(&payload)
                        .map_err(|e| invalid(e, None))?;
                    if end {
                        return Ok(());
                    }
                }
            }
        }
    }

    /// Starts the code section, whose payload is `range` of `module`, with function bodies at
    /// `bodies` (absolute ranges); returns what validates each body. The bodies' bytes are not
    /// read here (only their offsets and sizes), so they may still be unwritten.
    pub fn code(
        &mut self,
        module: &[u8],
        range: Range<usize>,
        bodies: &[Range<usize>],
    ) -> Result<Vec<FuncToValidate<ValidatorResources>>> {
        self.validator
            .code_section_start(&range)
            .map_err(|e| invalid(e, None))?;
        bodies
            .iter()
            .map(|b| {
                let body = FunctionBody::new(BinaryReader::new(&module[b.clone()], b.start));
                self.validator
                    .code_section_entry(&body)
                    .map_err(|e| invalid(e, None))
            })
            .collect()
    }
}

/// The error for an invalid output; `func` names the function it is in.
pub fn invalid(e: wasmparser::BinaryReaderError, func: Option<String>) -> Error {
    let place = func.map(|f| format!(" in {f}")).unwrap_or_default();
    Error::msg(format!(
        "output would be an invalid module{place}: {} (at offset {:#x}); not written",
        e.message(),
        e.offset()
    ))
}
