// mimalloc: the parsers allocate many small strings and vectors per file on two threads, and
// glibc's malloc spent a quarter of the run there (bench/run.sh; see ARCHITECTURE.md).
// (`--cfg atlasgov_system_alloc` builds with the system allocator, for heap profilers.)
#[cfg(not(atlasgov_system_alloc))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    #[cfg(not(atlasgov_system_alloc))]
    allocator::return_freed_memory_sooner();
    atlasgov_lint::main(std::env::args_os())
}

/// mimalloc holds freed memory for a second (its `purge_delay`) before it returns it to the
/// system: most of a run here. Freed memory is then reused only by the thread that freed it,
/// so the peak grows with what every stage freed (the trees of files read, Terraform's held
/// trees once evaluated): 100,000 files peaked at 263 MiB, 233 MiB with a 10 ms delay, in the
/// same time (docs/speed.md). The delay is set as a default: `MIMALLOC_PURGE_DELAY` in the
/// environment still decides.
#[cfg(not(atlasgov_system_alloc))]
mod allocator {
    use libmimalloc_sys as ffi;

    /// `mi_option_purge_delay` in mimalloc 3 (its `mi_option_e`; the crate names no constant
    /// for it).
    const PURGE_DELAY: ffi::mi_option_t = 15;
    /// mimalloc 3's default for it, in milliseconds: the option is set only when it holds
    /// this, so another version, whose option 15 is something else, is left alone.
    const DEFAULT_PURGE_DELAY: std::ffi::c_long = 1000;
    /// The delay set instead (mimalloc 2's default).
    pub const PURGE_DELAY_MS: std::ffi::c_long = 10;

    #[allow(unsafe_code)]
    pub fn return_freed_memory_sooner() {
        // SAFETY: plain C calls with integer arguments, made before any other thread exists
        // (`mi_option_set_default` is not thread safe); an option the environment set is
        // kept.
        unsafe {
            if ffi::mi_version() / 10_000 == 3
                && ffi::mi_option_get(PURGE_DELAY) == DEFAULT_PURGE_DELAY
            {
                ffi::mi_option_set_default(PURGE_DELAY, PURGE_DELAY_MS);
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        /// Fails when a new mimalloc moves the option or its default: then the call above
        /// does nothing, and the constants need looking at again.
        #[test]
        fn the_purge_delay_is_set_on_the_mimalloc_this_build_has() {
            // SAFETY: as above; this test reads, and sets what `main` would.
            #[allow(unsafe_code)]
            let (version, before) = unsafe { (ffi::mi_version(), ffi::mi_option_get(PURGE_DELAY)) };
            if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
                return;
            }
            assert_eq!(version / 10_000, 3, "mimalloc {version}");
            assert!(
                before == DEFAULT_PURGE_DELAY || before == PURGE_DELAY_MS,
                "option {PURGE_DELAY} is {before}"
            );
            return_freed_memory_sooner();
            #[allow(unsafe_code)]
            let after = unsafe { ffi::mi_option_get(PURGE_DELAY) };
            assert_eq!(after, PURGE_DELAY_MS);
        }
    }
}
