//! The `certbook` binary: parse arguments, dispatch, print the error chain once.

use clap::Parser;

// glibc malloc kept freed request buffers (RSS grew by ~25 KB per graded submission
// under concurrent load without being leaked); mimalloc returns them and is faster.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its index in the v3 `mi_option_t` enum, which
/// libmimalloc-sys does not name).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> std::process::ExitCode {
    // Freed memory goes back to the OS at once instead of after a delay that steady
    // traffic keeps renewing: the server's RSS under load halves, at no measurable cost.
    // SAFETY: sets a process-wide allocator option; no other thread exists yet.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    // mdBook reports some problems (e.g. a bad config key) only through `tracing`.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("CERTBOOK_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = certbook::cli::Cli::parse();
    match certbook::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            std::process::ExitCode::FAILURE
        }
    }
}
