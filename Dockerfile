# drydock's own image, held to drydock's own base-image policy (`drydock check --path .`):
# multi-stage, the Rust toolchain only in the build stage, a static musl binary in a distroless
# final image, run as the distroless non-root user.
#
#   docker build -t drydock .                                    the image
#   docker build --target binary --output type=local,dest=dist . the static binary alone
#
# .github/workflows/release.yml builds both for x86_64 and aarch64 on native runners.

# Stage 1: build. Rust's official Alpine image targets musl, whose C runtime Rust links
# statically; OpenSSL (libgit2's HTTPS and SSH) and zlib are linked from their static archives,
# libgit2 and libssh2 are built from the sources their -sys crates carry.
FROM rust:1.98-alpine3.24 AS build
# Not pinned to package versions: Alpine removes superseded versions from its repositories, so a
# pin breaks the build within weeks; the base image's tag fixes the Alpine release.
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev pkgconf openssl-dev openssl-libs-static zlib-dev zlib-static
ENV OPENSSL_STATIC=1 \
    LIBZ_SYS_STATIC=1 \
    CARGO_TERM_COLOR=never
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY templates ./templates
COPY data ./data
COPY benches ./benches
RUN cargo build --release --locked --bin drydock \
    && install -D -m 0755 target/release/drydock /out/drydock \
    && /out/drydock --version

# Stage 2: the binary alone, for `--output type=local` (the release assets).
FROM scratch AS binary
COPY --from=build /out/drydock /drydock

# Stage 3: production. Distroless static: CA certificates, /etc/passwd with the nonroot user,
# no shell, no package manager.
FROM gcr.io/distroless/static-debian13:nonroot
COPY --from=build /out/drydock /usr/local/bin/drydock
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/drydock"]
