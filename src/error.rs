//! Errors and warnings.
//!
//! A link reports every problem it can find (up to `--error-limit`) before it stops, so one
//! [`Error`] carries a list of [`Diagnostic`]s. Each message names what a user can act on: the
//! input file, the symbol, and the function or section that referenced it.

use std::fmt;

/// One message for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The text, without the `weld: error: ` prefix. May span several lines.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A failed link: one or more diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// What went wrong, in the order found.
    pub diagnostics: Vec<Diagnostic>,
    /// Warnings given before the link failed, which the user still sees (first, as wasm-ld
    /// prints them as it goes).
    pub warnings: Vec<Diagnostic>,
}

impl Error {
    /// An error with a single message.
    pub fn msg(message: impl Into<String>) -> Self {
        Error {
            diagnostics: vec![Diagnostic {
                message: message.into(),
            }],
            warnings: Vec::new(),
        }
    }

    /// An error about a file: `FILE: MESSAGE`.
    pub fn file(file: &str, message: impl fmt::Display) -> Self {
        Self::msg(format!("{file}: {message}"))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Result with weld's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Collects errors (up to a limit) and warnings during a phase that should report everything it
/// finds rather than stop at the first problem.
#[derive(Debug, Default)]
pub struct Diagnostics {
    errors: Vec<Diagnostic>,
    /// Warnings, printed by the caller whether the link succeeds or not.
    pub warnings: Vec<Diagnostic>,
    limit: usize,
    fatal_warnings: bool,
    /// Errors beyond the limit were dropped.
    truncated: bool,
}

impl Diagnostics {
    /// A collector that keeps at most `limit` errors (0 means no limit).
    pub fn new(limit: usize, fatal_warnings: bool) -> Self {
        Diagnostics {
            errors: Vec::new(),
            warnings: Vec::new(),
            limit,
            fatal_warnings,
            truncated: false,
        }
    }

    /// Records an error.
    pub fn error(&mut self, message: impl Into<String>) {
        if self.limit == 0 || self.errors.len() < self.limit {
            self.errors.push(Diagnostic {
                message: message.into(),
            });
        } else {
            self.truncated = true;
        }
    }

    /// Records a warning (an error under `--fatal-warnings`).
    pub fn warn(&mut self, message: impl Into<String>) {
        if self.fatal_warnings {
            self.error(message);
        } else {
            self.warnings.push(Diagnostic {
                message: message.into(),
            });
        }
    }

    /// Whether any error was recorded.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// `e`, with the warnings given so far put before its own (they were printed first).
    pub fn attach(&mut self, mut e: Error) -> Error {
        let mut warnings = std::mem::take(&mut self.warnings);
        warnings.append(&mut e.warnings);
        e.warnings = warnings;
        e
    }

    /// Fails with every recorded error, if there was any.
    pub fn check(&mut self) -> Result<()> {
        if self.errors.is_empty() {
            return Ok(());
        }
        if std::mem::take(&mut self.truncated) {
            // wasm-ld's wording, so that users find the option.
            self.errors.push(Diagnostic {
                message: "too many errors emitted, stopping now (use -error-limit=0 to see all \
                          errors)"
                    .to_string(),
            });
        }
        Err(Error {
            diagnostics: std::mem::take(&mut self.errors),
            warnings: std::mem::take(&mut self.warnings),
        })
    }
}
