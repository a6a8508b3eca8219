//! The Llama-family decoder: config, parameters, forward, backward, KV-cache inference.
