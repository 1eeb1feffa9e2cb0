# syntax=docker/dockerfile:1
# Hearth's container image: `docker build -t hearth .` (see docs/install.md).
# The build stage compiles Hearth; the runtime stage holds the binary, the
# shared libraries it links, ffmpeg for videos, and nothing else.

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# The build's Debian packages first, so this layer is reused when only the
# source changes. scripts/build-deps runs apt-get (as root, no sudo); the
# slim Rust image lacks the C++ compiler and make that libheif's build needs.
COPY scripts/ scripts/
RUN bash scripts/build-deps g++ make && rm -rf /var/lib/apt/lists/*
COPY . .
# The cache mounts keep downloaded crates and compiled dependencies between
# builds; the binary is copied out of the cached target folder.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p hearth --bin hearth \
    && cp target/release/hearth /usr/local/bin/hearth

FROM debian:bookworm-slim
LABEL org.opencontainers.image.title="Hearth" \
      org.opencontainers.image.description="A self-hosted family photo server: one binary, one data folder, no cloud." \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.licenses="AGPL-3.0-or-later" \
      org.opencontainers.image.base.name="docker.io/library/debian:bookworm-slim"

# The shared libraries the binary links (HEIF/HEVC and AV1 codecs), and
# ffmpeg, which gives videos their facts and poster frames. Debian's ffmpeg
# brings about 450 MB of libraries; `--build-arg WITH_FFMPEG=false` leaves
# it out (an image of about 150 MB; videos then import with what their
# container says and get a plain poster).
ARG WITH_FFMPEG=true
RUN set -- libde265-0 libx265-199 libaom3 libdav1d6 libnuma1 \
    && if [ "$WITH_FFMPEG" = true ]; then set -- "$@" ffmpeg; fi \
    && apt-get update \
    && apt-get install -y --no-install-recommends "$@" \
    && rm -rf /var/lib/apt/lists/*

# A fixed, non-root user: uid and gid 10001. Give the data folder to it on
# the host (chown 10001:10001) or run as another user with `user:`.
RUN groupadd --system --gid 10001 hearth \
    && useradd --system --uid 10001 --gid hearth --home-dir /data \
        --no-create-home --shell /usr/sbin/nologin hearth \
    && install -d -o hearth -g hearth -m 0750 /data \
    && install -d -m 0755 /photos

COPY --from=build /usr/local/bin/hearth /usr/local/bin/hearth
COPY --chmod=0644 packaging/docker/hearth.toml /etc/hearth/hearth.toml

# NO_COLOR: plain log lines (no colour codes) for docker logs and NAS log viewers.
ENV HEARTH_CONFIG=/etc/hearth/hearth.toml \
    NO_COLOR=1
WORKDIR /data
VOLUME /data
EXPOSE 2468
USER 10001:10001

# `hearth health` asks the server on loopback (GET /api/health) at the
# configured port; no curl needed.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["hearth", "health"]

STOPSIGNAL SIGTERM
ENTRYPOINT ["hearth"]
CMD ["serve"]
