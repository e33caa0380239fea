//! The accuracy harness: measures every check on the development data in `../shared/data` (read
//! where it lies, never copied), prints each figure beside its bar, and exits 1 when one fails.
//! `.ci/run` runs it.
//!
//! ```sh
//! cargo run --release --example accuracy                       # every check
//! cargo run --release --example accuracy -- headline-mismatch  # one check
//! cargo run --release --example accuracy -- --data DIR --verbose
//! ```

// A reporting program: printing the table is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod bars;
mod common;
mod date_contradiction;
mod headline_mismatch;
mod name_spelling;
mod unresolved_caption;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use bars::Bar;

type Run = fn(&std::path::Path) -> anyhow::Result<Vec<Bar>>;

const CHECKS: &[(&str, Run)] = &[
    ("date-contradiction", date_contradiction::run),
    ("unresolved-caption", unresolved_caption::run),
    ("headline-mismatch", headline_mismatch::run),
    ("name-spelling", name_spelling::run),
];

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut data = PathBuf::from("../shared/data");
    let mut only = Vec::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--data" => data = args.next().map_or(data, PathBuf::from),
            "--verbose" => common::set_verbose(),
            "-h" | "--help" => {
                println!("usage: accuracy [--data DIR] [--verbose] [CHECK...]");
                return ExitCode::SUCCESS;
            }
            other => only.push(other.to_string()),
        }
    }
    if !data.is_dir() {
        eprintln!(
            "error: no data folder at {} (pass --data DIR)",
            data.display()
        );
        return ExitCode::from(2);
    }
    let mut failed = 0;
    for (name, run) in CHECKS {
        if !only.is_empty() && !only.iter().any(|o| o == name) {
            continue;
        }
        let start = Instant::now();
        println!("== {name}");
        match run(&data) {
            Ok(bars) => {
                for bar in &bars {
                    println!("{bar}");
                    failed += usize::from(bar.gates_and_fails());
                }
            }
            Err(e) => {
                println!("error: {e:#}");
                failed += 1;
            }
        }
        println!("   ({:.1}s)", start.elapsed().as_secs_f64());
    }
    if failed > 0 {
        println!("{failed} bar(s) failed");
        ExitCode::FAILURE
    } else {
        println!("all bars pass");
        ExitCode::SUCCESS
    }
}
