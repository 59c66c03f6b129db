//! Every integration test, in one binary (one link, one process to start): a module per
//! area of thema, and `common` for the helpers they share.

mod common;

mod agree_cli;
mod agreement_inference;
mod agreement_published;
mod autocode;
mod cli_conventions;
mod codebook_and_coding;
mod consensus;
mod demo_study;
mod import_cli;
mod import_formats;
mod index_search;
mod lazy_study;
mod media_mpv;
mod media_play;
mod readme_examples;
mod refi_cli;
mod refi_fidelity;
mod refi_qda;
mod regressions;
mod reliability_concurrency;
mod reliability_crash;
mod reliability_edits;
mod reliability_git;
mod reliability_hostile;
mod reliability_huge;
mod reports;
mod rounds_reliability;
mod saturation;
mod scope;
mod suggestions;
mod trustworthy;
mod tui;
mod tui_compare;
mod tui_demo;
mod tui_player;
