//! The pure data of a study: transcripts and their turns, codebooks and codes, coded segments,
//! participant attributes, and the arithmetic of offsets and anchoring.
//!
//! Nothing here touches the file system or the terminal: `study` loads and saves these types,
//! `cli` and `tui` present them.

pub mod anchor;
pub mod attributes;
pub mod codebook;
pub mod fingerprint;
pub mod history;
pub mod ids;
pub mod loose;
pub mod round;
pub mod scope;
pub mod segment;
pub mod spans;
pub mod suggest;
pub mod text;
pub mod timeline;
pub mod transcript;

pub use attributes::Attributes;
pub use codebook::{Code, Codebook};
pub use history::{HistoryEntry, Operation};
pub use scope::Scope;
pub use segment::Segment;
pub use timeline::{Moment, Timeline};
pub use transcript::{Transcript, Turn, TurnText};
