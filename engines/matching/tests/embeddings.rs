//! The real model on known sentence pairs: related texts land closer than unrelated ones.
//! Needs the model `cargo xtask setup` installs (`OLIVINE_MATCHING_MODEL`, or the checkout's
//! `.data/models/all-MiniLM-L6-v2`).
#![cfg(feature = "embed")]

use matching::embed::{Embedder, cosine};
use std::path::PathBuf;

fn embedder() -> Embedder {
    let dir = std::env::var_os("OLIVINE_MATCHING_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.data/models/all-MiniLM-L6-v2")
        });
    match Embedder::load(&dir, 384) {
        Ok(embedder) => embedder,
        Err(error) => panic!("{error} — run `cargo xtask setup`"),
    }
}

#[test]
fn similar_sentences_are_closer_than_unrelated_ones() {
    let model = embedder();
    let texts = [
        "Experienced bartender who mixes cocktails on busy nights.",
        "Bar shift: serve drinks and cocktails at a busy club.",
        "Forklift driver for a night shift in a distribution warehouse.",
        "Warehouse worker with a forklift licence, order picking at night.",
        "Bookkeeping and payroll for a small accounting office.",
    ];
    let v = model.embed(&texts).expect("embeds");
    assert_eq!(v.len(), texts.len());
    for vector in &v {
        assert_eq!(vector.len(), 384);
        let norm: f32 = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "unit length, got {norm}");
    }
    let bar = cosine(&v[0], &v[1]);
    let warehouse = cosine(&v[2], &v[3]);
    for (a, b) in [(0, 2), (0, 4), (1, 3), (2, 4), (1, 4)] {
        let unrelated = cosine(&v[a], &v[b]);
        assert!(
            bar > unrelated + 0.15,
            "bar pair {bar} vs {a}/{b} {unrelated}"
        );
        assert!(
            warehouse > unrelated + 0.15,
            "warehouse pair {warehouse} vs {a}/{b} {unrelated}"
        );
    }
}

#[test]
fn a_batch_gives_each_text_the_vector_it_gets_alone() {
    let model = embedder();
    let short = "Barista";
    let long = "Barista with latte art skills and five years in specialty coffee bars in Utrecht.";
    let batch = model.embed(&[short, long]).expect("embeds");
    let alone = model.embed(&[short]).expect("embeds");
    // Padding is masked out of the mean: the short text's vector doesn't change in a batch.
    assert!(cosine(&batch[0], &alone[0]) > 0.9999);
}

#[test]
fn a_model_of_another_width_is_refused() {
    let dir = std::env::var_os("OLIVINE_MATCHING_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.data/models/all-MiniLM-L6-v2")
        });
    let error = Embedder::load(&dir, 768).err().expect("refused");
    assert!(error.to_string().contains("384-dimensional"), "{error}");
}
