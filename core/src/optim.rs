//! AdamW and global grad-norm clipping over [`crate::backend::Backend`] tensors.
