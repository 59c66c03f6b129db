//! The terminal application: transcripts, code tree, coding stripes, retrieval and search,
//! driven by the keyboard and the mouse.
//!
//! The shape is state → action → update → view. [`keymap`] turns key and mouse events into
//! [`action::Action`]s through one table (which also writes the help screen and the key hints).
//! Each pane under [`pane`] owns its state, its own updates and its drawing; [`app::App`] holds
//! what they share (study, coder, focus, status, overlay) and [`app::App::update`] routes each
//! action. The app's writes live by subject — coding and undo (`coding`), codebook refinement
//! (`codebook`), pickers and prompts (`dialog`), memos (`memo`), the mouse (`mouse`) — and all go
//! through one `commit`, which sets the status bar. [`view`] composes the screen and draws what
//! belongs to no pane. [`event::run`] is the synchronous terminal loop. Nothing here reads or
//! writes study files itself (only `Study` functions do); it starts `$EDITOR` on a memo.
//! [`compare`] keeps compare mode's state (two coders' layers, their disagreements, the figures
//! `thema agree` gives) and its update, and [`saturation`] the saturation chart's state; both compute through the
//! library and resolve or save only through `Study`. [`player`] keeps the recording playing
//! beside the transcript (mpv, ffplay or VLC, started through `crate::media`): the second outside
//! program the interface starts.

pub mod action;
pub mod app;
pub mod autocode;
mod codebook;
mod coding;
pub mod compare;
mod dialog;
pub mod event;
pub mod history;
pub mod keymap;
pub mod layout;
mod memo;
mod mouse;
pub mod pane;
pub mod picker;
pub mod player;
pub mod saturation;
pub mod scope;
pub mod search;
pub mod selection;
pub mod view;
pub mod wrap;

pub use action::Action;
pub use app::App;
pub use event::run;
