//! `cargo xtask fuzz [--seconds N]`: libFuzzer on the image pipeline's entry point (what every
//! admin upload goes through). Needs the nightly toolchain and cargo-fuzz, installed here when
//! missing. Not part of `cargo xtask test`: a fuzz run has no natural end.
//!
//! The corpus lives in the build directory and grows run after run; it starts from a few tiny
//! valid files written by `engines/media/examples/fuzz_seeds.rs`.

use crate::pins::Pins;
use crate::util::{cargo, output, root, run, say, target_dir};
use anyhow::{Context, Result, bail};
use std::process::Command;

pub fn command(pins: &Pins, args: &[String]) -> Result<()> {
    let seconds: u32 = match args {
        [] => 120,
        [flag, n] if flag == "--seconds" => n.parse().context("--seconds takes a number")?,
        _ => bail!("usage: cargo xtask fuzz [--seconds N]"),
    };
    let toolchains = output(Command::new("rustup").args(["toolchain", "list"]))?;
    if !toolchains.lines().any(|l| l.starts_with("nightly")) {
        say("fuzz: installing the nightly toolchain (libFuzzer needs it)");
        run(Command::new("rustup").args([
            "toolchain",
            "install",
            "nightly",
            "--profile",
            "minimal",
        ]))?;
    }
    let want = &pins.cargo_fuzz.version;
    let installed = output(Command::new(cargo()).args(["fuzz", "--version"]));
    if !installed.is_ok_and(|v| v.contains(want.as_str())) {
        say(format!("fuzz: installing cargo-fuzz {want}"));
        run(Command::new(cargo()).args(["install", "cargo-fuzz", "--version", want, "--locked"]))?;
    }
    let fuzz_target = target_dir()?.join("fuzz");
    let corpus = fuzz_target.join("corpus").join("decode");
    run(Command::new(cargo())
        .current_dir(root())
        .args(["run", "-q", "-p", "media", "--example", "fuzz_seeds", "--"])
        .arg(&corpus))?;
    say(format!("fuzz: running the decode target for {seconds} s"));
    // Through rustup's `cargo` proxy: only it understands `+nightly`.
    run(Command::new("cargo")
        .env_remove("RUSTUP_TOOLCHAIN")
        .current_dir(root().join("engines").join("media"))
        .args(["+nightly", "fuzz", "run", "decode", "--target-dir"])
        .arg(&fuzz_target)
        .arg(&corpus)
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        // A decode that takes seconds or a gigabyte is a finding too.
        .args(["-timeout=10", "-rss_limit_mb=1024"]))?;
    say("fuzz: no crash found");
    Ok(())
}
