# syntax=docker/dockerfile:1
# The snap image for the Fargate task of deploy/cloudformation/snap.yaml (README, Deploy on AWS).
#   docker build -t snap:$(git describe --always) .
# Builder and runtime are both Debian 12 (bookworm), so the binary's glibc and the Swift runtime
# libraries copied from the toolchain match the runtime image. There is no .git in the context, so
# `snap --version` names the commit "unknown" (Plugins/BuildInfo).

FROM swift:6.3-bookworm AS builder
RUN apt-get update \
 && apt-get install -y --no-install-recommends libarchive-dev libzstd-dev libcurl4-openssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Plugins ./Plugins
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product snap \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/snap" /out/bin/snap \
 && mkdir -p /out/lib \
 && ldd /out/bin/snap | awk '/\/usr\/lib\/swift\/linux\// {print $3}' | xargs -r -I{} cp -L {} /out/lib/
RUN if [ -z "$(ls /out/lib)" ]; then echo "Dockerfile: ldd found no Swift runtime library of /out/bin/snap under /usr/lib/swift/linux: check the builder image's toolchain path" >&2; exit 1; fi

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends libarchive13 libzstd1 libcurl4 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /home/snap --create-home --shell /usr/sbin/nologin snap
COPY --from=builder /out/lib/ /usr/lib/swift/linux/
COPY --from=builder /out/bin/snap /usr/local/bin/snap
COPY deploy/docker/snap-entrypoint.sh /usr/local/bin/snap-entrypoint
RUN echo /usr/lib/swift/linux > /etc/ld.so.conf.d/swift.conf && ldconfig \
 && snap --version
USER 10001:10001
WORKDIR /home/snap
ENV TMPDIR=/tmp
ENTRYPOINT ["/usr/local/bin/snap-entrypoint"]
CMD ["nightly"]
