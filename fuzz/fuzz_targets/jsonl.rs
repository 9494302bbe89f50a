//! Native JSONL reader + normaliser on arbitrary bytes: must never panic, and every line is either
//! a record or a rejection.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::ops::ControlFlow;
use vigie_core::config::InputConfig;
use vigie_sources::{jsonl, Event, ReadContext};

fuzz_target!(|data: &[u8]| {
    let limits = InputConfig {
        max_record_bytes: 4096,
        max_json_depth: 16,
        ..InputConfig::default()
    };
    let normaliser = vigie_normalise::Normaliser::new(&limits);
    let ctx = ReadContext::new("fuzz.jsonl", &limits);
    let mut last_line = 0;
    let _ = jsonl::read(&mut std::io::Cursor::new(data), ctx, &mut |e: Event| {
        let line = match e {
            Event::Record { line, record } => {
                let _ = normaliser.normalise(record);
                line
            }
            Event::Rejected(r) => {
                assert!(r.raw.len() <= 4096);
                r.line
            }
        };
        assert!(line > last_line, "lines must increase");
        last_line = line;
        ControlFlow::Continue(())
    });
});
