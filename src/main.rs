// mimalloc: the parsers allocate many small strings and vectors per file on two threads, and
// glibc's malloc spent a quarter of the run there (bench/run.sh; see ARCHITECTURE.md).
// (`--cfg atlasgov_system_alloc` builds with the system allocator, for heap profilers.)
#[cfg(not(atlasgov_system_alloc))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(atlasgov_lint::run(std::env::args_os()));
}
