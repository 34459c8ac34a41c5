//! The upload entry point on arbitrary bytes: it must refuse or process, never crash, hang or
//! allocate without bound. Small limits keep each run fast and let the fuzzer reach the
//! refusal paths.
#![no_main]

use libfuzzer_sys::fuzz_target;
use media::{Limits, Pipeline};

fuzz_target!(|data: &[u8]| {
    let pipeline = Pipeline {
        limits: Limits {
            max_bytes: 1 << 20,
            max_pixels: 4_000_000,
            max_side: 4_000,
        },
        widths: vec![64, 32],
        ..Pipeline::default()
    };
    let _ = pipeline.process(data);
});
