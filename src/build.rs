//! The release build on Linux lays the functions the console runs at launch side by side, first in
//! its code (`src/startup.ld`, written by `tests/bench/startup_order.sh`, which says why): the
//! idle console then keeps about 2.5 MB less of its binary resident. Other builds, and the tests,
//! link as they always have.

fn main() {
    println!("cargo:rerun-if-changed=src/startup.ld");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let linux_gnu = var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu";
    if var("PROFILE") == "release" && linux_gnu {
        let script = std::path::Path::new(&var("CARGO_MANIFEST_DIR")).join("src/startup.ld");
        // An `INSERT BEFORE` script adds one output section to the linker's own layout instead of
        // replacing it (GNU ld and lld alike); a listed function that no longer exists is skipped.
        println!(
            "cargo:rustc-link-arg-bin=bucket-console=-Wl,-T,{}",
            script.display()
        );
        // Relative relocations packed (DT_RELR, glibc 2.36, binutils 2.38): the loader reads a few
        // KiB of them at launch instead of 340 KiB.
        println!("cargo:rustc-link-arg-bin=bucket-console=-Wl,-z,pack-relative-relocs");
    }
}
