//! Build information for `--version`: the commit and the date (see build/version.rs).

#[path = "build/version.rs"]
mod version;

fn main() {
    let dir = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    let given = std::env::var("ATLASGOV_LINT_BUILD_COMMIT").ok();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    let v = version::version(&dir, given.as_deref(), epoch.as_deref(), now);
    let short = v.commit.get(..12).unwrap_or(&v.commit);
    println!("cargo:rustc-env=ATLASGOV_LINT_COMMIT={}", v.commit);
    println!("cargo:rustc-env=ATLASGOV_LINT_COMMIT_SHORT={short}");
    println!("cargo:rustc-env=ATLASGOV_LINT_BUILD_DATE={}", v.date);
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    println!("cargo:rerun-if-env-changed=ATLASGOV_LINT_BUILD_COMMIT");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build/version.rs");
    // Outside a checkout nothing else can change the answer; inside one, a commit or a checkout
    // of another branch changes these.
    for path in &v.watch {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}
