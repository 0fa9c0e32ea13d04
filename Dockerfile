# syntax=docker/dockerfile:1
# Pylon's image: built on Debian 12 with the same packages script/bootstrap installs for a build,
# run on debian:12-slim with only the shared libraries build/pylon links (found by ldd, not
# listed by hand) plus CA certificates for wss:// endpoints. Runs as the non-root user pylon
# (uid/gid 10001, the k8s manifests' fsGroup). Build: docker build -t pylon:0.1.0 . (the tag
# k8s/base uses). script/image builds the same image without a daemon (mmdebstrap + umoci, from
# the .deb).

FROM debian:12 AS build
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ARG DEBIAN_FRONTEND=noninteractive
# The build half of script/bootstrap's APT_PACKAGES (its clang, fuzz, benchmark and JS tools are
# for tests). GoogleTest is here because the CMake project configures its tests even when only
# the pylon target is built.
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends \
      build-essential cmake ninja-build pkg-config \
      libboost1.81-dev libboost-url1.81-dev \
      libcli11-dev libsimdjson-dev libsqlite3-dev libsodium-dev libssl-dev libxxhash-dev \
      zlib1g-dev libzstd-dev \
      libgtest-dev libgmock-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# blst's C sources (cmake/Blst.cmake) from third_party/blst's lockfile, as script/bootstrap installs
# them; node and npm are Debian's, in this build stage only.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends nodejs npm \
 && (cd third_party/blst && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) \
 && rm -rf /var/lib/apt/lists/*
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPYLON_BENCH=OFF -DPYLON_WERROR=ON \
 && cmake --build /build -j"$(nproc)" --target pylon \
 && strip --strip-debug -o /pylon /build/pylon \
 && /pylon --help >/dev/null
# The Debian packages of every shared library the binary loads. dpkg records libc's files under
# /lib while ldd may print /usr/lib (merged /usr), so both spellings are tried.
RUN for f in $(ldd /pylon | awk '$3 ~ /^\// {print $3}'); do \
      f=$(readlink -f "$f"); \
      { dpkg -S "$f" 2>/dev/null || dpkg -S "${f#/usr}"; } | head -1 | cut -d: -f1; \
    done | sort -u > /runtime-packages \
 && cat /runtime-packages

FROM debian:12-slim
ARG DEBIAN_FRONTEND=noninteractive
# The same labels script/image writes (its daemon-less build of this image from the .deb).
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="pylon" \
      org.opencontainers.image.description="Pylon, the chain sidecar of a Bittensor validator" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="debian:12-slim"
COPY --from=build /runtime-packages /tmp/runtime-packages
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends ca-certificates $(cat /tmp/runtime-packages) \
 && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages \
 && groupadd --gid 10001 pylon \
 && useradd --uid 10001 --gid pylon --home-dir /data --no-create-home --shell /usr/sbin/nologin pylon \
 && install -d -o pylon -g pylon -m 0750 /data
COPY --from=build /pylon /usr/bin/pylon
USER 10001:10001
# `pylon run` also reads ./.env: the working directory is the data volume, which holds none unless
# the operator puts one there.
WORKDIR /data
# In a container the loopback is the container's own: listen on all interfaces. Without
# PYLON_AUTH_TOKEN writes are still accepted from loopback only.
ENV PYLON_HTTP_HOST=0.0.0.0 \
    PYLON_DB_PATH=/data/pylon.db
EXPOSE 8000
VOLUME ["/data"]
# Docker's own health check (the OCI image config has no such field; Kubernetes uses its probes):
# GET /live over bash's /dev/tcp, so the image needs no HTTP client. /live answers while the
# process serves, whatever the chain does.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${PYLON_HTTP_PORT:-8000} && printf 'GET /live HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/usr/bin/pylon"]
CMD ["run"]
