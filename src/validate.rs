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
    /// Validates the whole sections before module offset `end` not validated yet; with `eof`,
    /// `end` is the end of the module. `chunk` holds the module's bytes from offset `base`
    /// (earlier bytes may be gone, written out), up to at least `end`; everything before
    /// `base` must have been validated already. A code section met here is skipped: its
    /// bodies are announced with [`Self::code`] and checked with [`validate_body`].
    pub fn sections(&mut self, chunk: &[u8], base: usize, end: usize, eof: bool) -> Result<()> {
        loop {
            // A code section's bodies may be written straight to the file, not through `chunk`.
            if self.pos >= end && !eof {
                return Ok(());
            }
            let data = &chunk[self.pos - base..end - base];
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

    /// Starts the code section, whose payload is `range` of the module, with function bodies
    /// at `bodies` (module offsets). Returns what validates each body. Only the bodies' places
    /// are needed here, so they may still be unwritten.
    pub fn code(
        &mut self,
        range: Range<usize>,
        bodies: &[Range<usize>],
    ) -> Result<Vec<FuncToValidate<ValidatorResources>>> {
        self.validator
            .code_section_start(&range)
            .map_err(|e| invalid(e, None))?;
        // The validator reads a body's offset and length, not its bytes: a zeroed stand-in
        // (never touched, so never made resident) gives it both.
        let longest = bodies.iter().map(|b| b.len()).max().unwrap_or(0);
        let stand_in = vec![0u8; longest];
        bodies
            .iter()
            .map(|b| {
                let bytes = &stand_in[..b.len()];
                let body = FunctionBody::new(BinaryReader::new(bytes, b.start));
                self.validator
                    .code_section_entry(&body)
                    .map_err(|e| invalid(e, None))
            })
            .collect()
    }
}

impl Incremental {
    /// Ends the module at the current section: the sections left are custom sections, which
    /// the validator does not look into, so they need not pass through it.
    pub fn finish(&mut self) -> Result<()> {
        match self.parser.parse(&[], true) {
            Ok(Chunk::Parsed { payload, .. }) => self
                .validator
                .payload(&payload)
                .map(drop)
                .map_err(|e| invalid(e, None)),
            Ok(Chunk::NeedMoreData(_)) => Err(Error::msg(
                "output would be an invalid module: truncated; not written",
            )),
            Err(e) => Err(invalid(e, None)),
        }
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
