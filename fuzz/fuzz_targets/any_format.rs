//! Sniffing and every reader on arbitrary bytes (Telegram JSON, feeds, domain lists, ...).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::ops::ControlFlow;
use vigie_core::config::InputConfig;
use vigie_sources::{read_format, sniff, Event, ReadContext};

fuzz_target!(|data: &[u8]| {
    let limits = InputConfig {
        max_record_bytes: 4096,
        max_json_depth: 16,
        ..InputConfig::default()
    };
    let Ok(format) = sniff(data, &limits) else { return };
    let normaliser = vigie_normalise::Normaliser::new(&limits);
    let ctx = ReadContext::new("fuzz", &limits);
    let _ = read_format(format, &mut std::io::Cursor::new(data), ctx, &mut |e: Event| {
        if let Event::Record { record, .. } = e {
            let _ = normaliser.normalise(record);
        }
        ControlFlow::Continue(())
    });
});
