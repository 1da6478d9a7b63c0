fn main() {
    std::process::exit(atlasgov_lint::run(std::env::args_os()));
}
