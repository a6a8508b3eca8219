//! Weights for inference: each 2-D weight either in f32 or kept in a storage format (a GGUF
//! file's blocks, or f16 / bf16 rows), chosen with `--dtype` ([`WeightDtype`]).
//!
//! Training never goes through here: it holds f32 weights ([`HostModel`]), which it updates
//! and whose step-0 copy is the KL reference. Inference commands (`hir forward`, `hir
//! generate`, `hir eval --model`, `hir bench decode|prompt|generate`) load a [`HostWeights`]
//! and upload it with [`HostWeights::to_model`]; a stored weight goes through
//! [`Backend::upload_weight`], which the CPU backend keeps as bytes and multiplies from
//! directly (see `hir_core::backend::weight`). Norms and biases are always f32.

use crate::io::host_model::HostModel;
use hir_core::backend::{Backend, QuantMatrix, WeightFormat};
use hir_core::model::{param_shapes, Model, ModelConfig, ModelError, Params};

/// How the 2-D weights of a model are held for inference (`--dtype`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum WeightDtype {
    /// A GGUF file's 2-D weights keep their blocks when hir stores that format (Q8_0, Q4_0,
    /// Q4_1, Q4_K, Q5_K, Q6_K, F16, BF16; others are dequantized to f32); a Hugging Face
    /// directory's weights are f32.
    #[default]
    Auto,
    /// Every weight dequantized to f32.
    F32,
    /// 2-D weights converted to bfloat16 on load.
    Bf16,
    /// 2-D weights converted to IEEE half precision on load.
    F16,
}

impl WeightDtype {
    /// The half format 2-D weights are converted to, if any.
    fn half(self) -> Option<WeightFormat> {
        match self {
            WeightDtype::Bf16 => Some(WeightFormat::BF16),
            WeightDtype::F16 => Some(WeightFormat::F16),
            WeightDtype::Auto | WeightDtype::F32 => None,
        }
    }
}

/// An owned weight matrix in a storage format: `rows` rows of `cols` values, each row a run of
/// whole blocks (GGUF's layout).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredWeight {
    format: WeightFormat,
    rows: usize,
    cols: usize,
    bytes: Vec<u8>,
}

impl StoredWeight {
    /// Checks that `bytes` holds `[rows, cols]` in `format`.
    pub fn new(
        format: WeightFormat,
        rows: usize,
        cols: usize,
        bytes: Vec<u8>,
    ) -> Result<Self, hir_core::backend::QuantError> {
        QuantMatrix::new(format, rows, cols, &bytes)?;
        Ok(Self {
            format,
            rows,
            cols,
            bytes,
        })
    }

    /// `data` (`[rows, cols]` row-major f32) converted to the half format `format` (F16 or
    /// BF16, round to nearest even).
    ///
    /// # Panics
    /// When `format` is not a half format or `data` is not `rows · cols` long.
    pub fn half_from_f32(format: WeightFormat, rows: usize, cols: usize, data: &[f32]) -> Self {
        assert_eq!(data.len(), rows * cols, "half_from_f32: wrong length");
        let bytes: Vec<u8> = match format {
            WeightFormat::F16 => data
                .iter()
                .flat_map(|&v| half::f16::from_f32(v).to_le_bytes())
                .collect(),
            WeightFormat::BF16 => data
                .iter()
                .flat_map(|&v| half::bf16::from_f32(v).to_le_bytes())
                .collect(),
            other => panic!("half_from_f32: {other} is not a half format"),
        };
        Self {
            format,
            rows,
            cols,
            bytes,
        }
    }

    /// The matrix, borrowed.
    pub fn matrix(&self) -> QuantMatrix<'_> {
        // Validated on construction and never changed since.
        QuantMatrix::new(self.format, self.rows, self.cols, &self.bytes)
            .expect("a StoredWeight holds a valid matrix")
    }

    /// The storage format.
    pub fn format(&self) -> WeightFormat {
        self.format
    }
}

/// One parameter on the host: f32 values, or a 2-D weight in a storage format.
#[derive(Debug, Clone, PartialEq)]
pub enum HostWeight {
    /// Plain f32 values (norms, biases, and weights held in f32).
    F32(Vec<f32>),
    /// A 2-D weight kept in a storage format.
    Stored(StoredWeight),
}

impl HostWeight {
    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            HostWeight::F32(v) => v.len(),
            HostWeight::Stored(s) => s.rows * s.cols,
        }
    }

    /// Whether it holds no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Copies it to `b` (`upload` or `upload_weight`).
    pub fn upload<B: Backend>(&self, b: &B) -> hir_core::backend::Result<B::Tensor> {
        match self {
            HostWeight::F32(v) => b.upload(v),
            HostWeight::Stored(s) => b.upload_weight(s.matrix()),
        }
    }
}

/// A model's config and its weights for inference.
#[derive(Debug, Clone, PartialEq)]
pub struct HostWeights {
    /// The architecture.
    pub config: ModelConfig,
    /// The weights.
    pub params: Params<HostWeight>,
}

impl HostWeights {
    /// f32 weights held as `dtype` says: 2-D weights converted to bf16/f16 for those, kept in
    /// f32 otherwise.
    pub fn from_f32(host: HostModel, dtype: WeightDtype) -> Self {
        let HostModel { config, mut params } = host;
        let shapes = param_shapes(&config);
        let consistent = params.tensors().len() == shapes.len();
        let convert = |t: Vec<f32>, shape: &[usize]| match (dtype.half(), shape) {
            (Some(format), &[rows, cols]) if rows * cols == t.len() => {
                HostWeight::Stored(StoredWeight::half_from_f32(format, rows, cols, &t))
            }
            _ => HostWeight::F32(t),
        };
        if consistent {
            // `tensors_mut` and `from_ordered` both follow `param_shapes`' order.
            let items: Vec<HostWeight> = params
                .tensors_mut()
                .into_iter()
                .zip(&shapes)
                .map(|(t, (_, shape))| convert(std::mem::take(t), shape))
                .collect();
            // As many items as `param_shapes` lists: `from_ordered` takes them all.
            let params =
                Params::from_ordered(&config, items).expect("one item per entry of param_shapes");
            return Self { config, params };
        }
        // Parameters that do not fit the config stay f32; `to_model` names the mismatch.
        let params = params.map(|t| HostWeight::F32(t.clone()));
        Self { config, params }
    }

    /// Uploads the weights to `b` as a [`Model`], each checked against the config's shapes.
    pub fn to_model<B: Backend>(&self, b: &B) -> hir_core::model::Result<Model<B>> {
        for ((name, shape), t) in param_shapes(&self.config).iter().zip(self.params.tensors()) {
            let expected: usize = shape.iter().product();
            if t.len() != expected {
                return Err(ModelError::ParamSize {
                    name: name.clone(),
                    expected,
                    found: t.len(),
                    shape: shape.clone(),
                });
            }
        }
        if self.params.layers.len() != self.config.num_hidden_layers
            || self.params.lm_head.is_some() == self.config.tie_word_embeddings
        {
            return Err(ModelError::Input(format!(
                "parameters have {} layers and {} lm_head; config wants {} layers, tied = {}",
                self.params.layers.len(),
                if self.params.lm_head.is_some() {
                    "an"
                } else {
                    "no"
                },
                self.config.num_hidden_layers,
                self.config.tie_word_embeddings
            )));
        }
        let params = self.params.try_map(|t| t.upload(b))?;
        Ok(Model {
            config: self.config.clone(),
            params,
            lora: None,
        })
    }

    /// How many weights are held in each storage format (f32 included), for a log line.
    pub fn summary(&self) -> String {
        let mut counts: Vec<(&'static str, usize)> = Vec::new();
        for t in self.params.tensors() {
            let name = match t {
                HostWeight::F32(_) => "F32",
                HostWeight::Stored(s) => s.format.name(),
            };
            match counts.iter_mut().find(|(n, _)| *n == name) {
                Some((_, c)) => *c += 1,
                None => counts.push((name, 1)),
            }
        }
        counts
            .iter()
            .map(|(n, c)| format!("{c} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
