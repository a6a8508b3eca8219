//! Memory ops: `upload`, `upload_index`, `zeros`, `download`, `download_index`,
//! `download_indices`, `len`, `index_len`, `copy`, `fill_zero`.
//!
//! Contract: `upload*` copies host data into a new device buffer of the same length;
//! `download*` copies a buffer back (the only way data leaves the device, besides the ops
//! whose result is a host value); `zeros(len)` and `fill_zero` give exact `+0.0`s; `copy`
//! makes an independent tensor with the same bits. No memory op fails on a shape: a length is
//! whatever the data has. Device failures (out of memory, a lost device) are
//! [`BackendError::Device`](super::BackendError::Device).
//!
//! `download_indices(ts)` returns `ts.iter().map(download_index)`, in order, but in one round
//! trip to the device: a GPU backend copies every buffer into one staging buffer and waits
//! once, so a decode loop that keeps its sampled ids on the device (`sample_to_index`) pays
//! one synchronization per chunk of steps instead of one per step. The default loops over
//! `download_index` (right for a backend whose buffers live on the host). An empty `ts` gives
//! an empty result without touching the device.
