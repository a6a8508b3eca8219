//! Training a byte-level BPE tokenizer (GPT-2 style) with the `tokenizers` crate.

use super::TokenizerError;
use tokenizers::models::bpe::{BpeTrainerBuilder, BPE};
use tokenizers::normalizers::NormalizerWrapper;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::{AddedToken, Tokenizer, TokenizerBuilder};

/// The special tokens of the built-in tokenizer, with ids 0, 1, 2 (as SmolLM2 has them).
pub const SPECIAL_TOKENS: [&str; 3] = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"];

/// Trains a byte-level BPE tokenizer of `vocab_size` tokens (specials and the 256 byte tokens
/// included) on `texts`. No normalizer, no prefix space: `decode(encode(x)) == x` for every
/// string. Deterministic for the same texts (the trainer breaks count ties by pair order).
pub fn train_byte_level_bpe<S: AsRef<str> + Send + Sync>(
    texts: &[S],
    vocab_size: usize,
) -> Result<Tokenizer, TokenizerError> {
    let err = |e: tokenizers::Error| TokenizerError::Train(e.to_string());
    let specials = SPECIAL_TOKENS
        .iter()
        .map(|t| AddedToken::from(t.to_string(), true))
        .collect();
    let mut trainer = BpeTrainerBuilder::new()
        .show_progress(false)
        .vocab_size(vocab_size)
        .min_frequency(2)
        .special_tokens(specials)
        .initial_alphabet(ByteLevel::alphabet().into_iter().collect())
        .build();
    let byte_level = ByteLevel::new(false, false, true);
    let mut tok =
        TokenizerBuilder::<BPE, NormalizerWrapper, ByteLevel, ByteLevel, ByteLevel>::new()
            .with_model(BPE::default())
            .with_normalizer(None)
            .with_pre_tokenizer(Some(byte_level))
            .with_post_processor(Some(byte_level))
            .with_decoder(Some(byte_level))
            .build()
            .map_err(err)?;
    tok.train(&mut trainer, texts.iter().map(|s| s.as_ref()))
        .map_err(err)?;
    let json = tok.to_string(false).map_err(err)?;
    Tokenizer::from_bytes(json.as_bytes()).map_err(err)
}
