//! certbook's integration tests: one crate (one link), a module per area.

mod browser;
mod certify;
mod certops;
mod check;
mod deploy;
mod exam;
mod exam_page;
mod get_writes;
mod hardening;
mod harness;
mod hr;
mod http;
mod init;
mod instances;
mod interop;
mod modes;
mod programme;
mod reliability;
mod robustness;
mod sandbox;
mod site;
mod track;
mod variants;
mod verify_cli;
mod watch;
