//! Sentence embeddings: all-MiniLM-L6-v2 on the CPU through candle — tokenised in batches,
//! mean-pooled over the real tokens (padding masked out) and normalised to unit length, so a
//! dot product is the cosine similarity pgvector's `<=>` works with.

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use std::path::{Path, PathBuf};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

/// The longest input in tokens; the model was trained on 256-token passages, and profile and
/// posting texts are cut to that.
const MAX_TOKENS: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("cannot read the embedding model in {dir}: {problem}")]
    Model { dir: PathBuf, problem: String },
    #[error("the model in {dir} makes {actual}-dimensional vectors, but {expected} are configured")]
    Dimension {
        dir: PathBuf,
        expected: usize,
        actual: usize,
    },
    #[error("tokenising failed: {0}")]
    Tokenizer(String),
    #[error("the model failed: {0}")]
    Run(#[from] candle_core::Error),
}

pub struct Embedder {
    model: BertModel,
    tokenizer: Tokenizer,
    dimension: usize,
}

impl Embedder {
    /// Loads `model.safetensors`, `config.json` and `tokenizer.json` from `dir` and checks the
    /// model's width against the configured `dimension` (the pgvector columns' width).
    pub fn load(dir: &Path, dimension: usize) -> Result<Self, EmbedError> {
        let problem = |what: &str, e: &dyn std::fmt::Display| EmbedError::Model {
            dir: dir.to_path_buf(),
            problem: format!("{what}: {e}"),
        };
        let config = std::fs::read_to_string(dir.join("config.json"))
            .map_err(|e| problem("config.json", &e))?;
        let config: Config =
            serde_json::from_str(&config).map_err(|e| problem("config.json", &e))?;
        if config.hidden_size != dimension {
            return Err(EmbedError::Dimension {
                dir: dir.to_path_buf(),
                expected: dimension,
                actual: config.hidden_size,
            });
        }
        let weights = std::fs::read(dir.join("model.safetensors"))
            .map_err(|e| problem("model.safetensors", &e))?;
        let vb = VarBuilder::from_buffered_safetensors(weights, DType::F32, &Device::Cpu)
            .map_err(|e| problem("model.safetensors", &e))?;
        let model = BertModel::load(vb, &config).map_err(|e| problem("model.safetensors", &e))?;
        let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json"))
            .map_err(|e| problem("tokenizer.json", &e))?;
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            ..PaddingParams::default()
        }));
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..TruncationParams::default()
            }))
            .map_err(|e| problem("tokenizer.json", &e))?;
        Ok(Embedder {
            model,
            tokenizer,
            dimension,
        })
    }

    pub fn dimension(&self) -> usize {
        self.dimension
    }

    /// One unit vector per text, in order. Texts are run as one padded batch, so callers pick
    /// the batch size (a few dozen keeps padding waste and memory small).
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| EmbedError::Tokenizer(e.to_string()))?;
        let rows = |f: &dyn Fn(&tokenizers::Encoding) -> &[u32]| -> Result<Tensor, EmbedError> {
            let rows = encodings
                .iter()
                .map(|e| Tensor::new(f(e), &Device::Cpu))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Tensor::stack(&rows, 0)?)
        };
        let ids = rows(&|e| e.get_ids())?;
        let types = rows(&|e| e.get_type_ids())?;
        let mask = rows(&|e| e.get_attention_mask())?;
        let hidden = self.model.forward(&ids, &types, Some(&mask))?;
        // Mean over the real tokens: padding positions are zeroed and not counted.
        let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
        let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
        let counts = mask.sum(1)?.clamp(1e-9, f64::MAX)?;
        let mean = summed.broadcast_div(&counts)?;
        let norms = mean.sqr()?.sum_keepdim(1)?.sqrt()?.clamp(1e-12, f64::MAX)?;
        let unit = mean.broadcast_div(&norms)?;
        Ok(unit.to_vec2::<f32>()?)
    }
}

/// The cosine similarity of two unit vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
