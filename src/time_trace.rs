//! `--time-trace`: a Chrome trace (the JSON that `chrome://tracing` and Perfetto read) of weld's
//! own phases: read, resolve, gc, layout, write (which validates as it writes), map, and the whole
//! link.

use std::time::Instant;

use serde_json::json;

use crate::config::Config;
use crate::error::Result;

/// Times consecutive phases of a link when `--time-trace` asks.
pub struct Tracer {
    start: Instant,
    /// Completed phases: name, start and duration in microseconds.
    events: Vec<(&'static str, u64, u64)>,
    current: Option<(&'static str, Instant)>,
    enabled: bool,
}

impl Tracer {
    /// A tracer that records only when `config` asks for a trace.
    pub fn new(config: &Config) -> Self {
        Tracer {
            start: Instant::now(),
            events: Vec::new(),
            current: None,
            enabled: config.time_trace.is_some(),
        }
    }

    /// Ends the phase in progress, if any, and starts `name`.
    pub fn phase(&mut self, name: &'static str) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        self.close(now);
        self.current = Some((name, now));
    }

    fn close(&mut self, now: Instant) {
        if let Some((name, began)) = self.current.take() {
            let ts = began.duration_since(self.start).as_micros() as u64;
            let dur = now.duration_since(began).as_micros() as u64;
            self.events.push((name, ts, dur));
        }
    }

    /// Ends the last phase and writes the trace where `config` says: `--time-trace-file`, or
    /// the output's name with `.time-trace` added. Phases shorter than
    /// `--time-trace-granularity` microseconds are left out.
    pub fn finish(mut self, config: &Config) -> Result<()> {
        let Some(file) = &config.time_trace else {
            return Ok(());
        };
        let now = Instant::now();
        self.close(now);
        let total = now.duration_since(self.start).as_micros() as u64;
        let mut events = vec![json!({
            "pid": 1, "tid": 0, "ph": "X", "ts": 0, "dur": total, "name": "Total Link",
            "args": { "output": config.output.display().to_string() },
        })];
        for &(name, ts, dur) in &self.events {
            if dur >= config.time_trace_granularity {
                events.push(json!({
                    "pid": 1, "tid": 0, "ph": "X", "ts": ts, "dur": dur, "name": name,
                }));
            }
        }
        events.push(json!({
            "pid": 1, "tid": 0, "ph": "M", "name": "process_name",
            "args": { "name": "weld" },
        }));
        let trace = json!({ "traceEvents": events, "displayTimeUnit": "ns" });
        let path = if file.is_empty() {
            format!("{}.time-trace", config.output.display())
        } else {
            file.clone()
        };
        let text = serde_json::to_string(&trace).unwrap_or_default();
        crate::write_atomically(std::path::Path::new(&path), text.as_bytes())
    }
}
