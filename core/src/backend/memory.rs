//! Memory ops: `upload`, `upload_index`, `zeros`, `download`, `download_index`, `len`,
//! `index_len`, `copy`, `fill_zero`.
//!
//! Contract: `upload*` copies host data into a new device buffer of the same length;
//! `download*` copies a buffer back (the only way data leaves the device, besides the ops
//! whose result is a host value); `zeros(len)` and `fill_zero` give exact `+0.0`s; `copy`
//! makes an independent tensor with the same bits. No memory op fails on a shape: a length is
//! whatever the data has. Device failures (out of memory, a lost device) are
//! [`BackendError::Device`](super::BackendError::Device).
