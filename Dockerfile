# atlasgov-lint in a container: a static binary (musl) in an otherwise empty image.
#
#   docker build -t atlasgov-lint .
#   docker run --rm -v "$PWD:/src" atlasgov-lint                  # check the current directory
#   docker run --rm -v "$PWD:/src" atlasgov-lint check --format sarif infra/
#
# tests/ci_files.rs checks this recipe against the crate (toolchain, files it needs) and runs
# its entry point; docs/ci.md says more.

# Build: Alpine's Rust targets musl and links statically.
FROM rust:1.95-alpine AS build
RUN apk add --no-cache musl-dev
WORKDIR /build
COPY . .
# A commit id for --version when the build context has no .git (docker build --build-arg).
ARG ATLASGOV_LINT_BUILD_COMMIT=""
RUN cargo build --locked --release \
    && cp target/release/atlasgov-lint /atlasgov-lint \
    && /atlasgov-lint --version

# Run: nothing but the binary; an unprivileged user; the mounted repository is the directory.
FROM scratch
COPY --from=build /atlasgov-lint /atlasgov-lint
USER 65534:65534
WORKDIR /src
ENTRYPOINT ["/atlasgov-lint"]
CMD ["check", "."]
