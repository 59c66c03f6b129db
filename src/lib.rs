//! thema: qualitative coding of interview transcripts in the terminal.
//!
//! Layers point one way: front-ends (`cli`, `tui`) → services (`study`, `index`, `report`) →
//! pure data and computation (`model`, `agreement`, `saturation`).

pub mod index;
pub mod model;
pub mod saturation;
pub mod study;
pub mod tui;
