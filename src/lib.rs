//! thema: qualitative coding of interview transcripts in the terminal.
//!
//! Layers point one way: front-ends (`cli`, `tui`) → services (`study`, `index`, `report`,
//! `refi`, `media`) → pure data and computation (`model`, `agreement`, `saturation`); `import`
//! turns source files into turns.

pub mod agreement;
pub mod autocode;
pub mod cli;
pub mod import;
pub mod index;
pub mod media;
pub mod model;
pub mod refi;
pub mod report;
pub mod saturation;
pub mod study;
pub mod tui;
