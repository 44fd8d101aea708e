# Roster in a container: build on the Swift image, run on slim Debian with only the
# runtime libraries, as a non-root user. The default command is the server:
#
#   docker build -t roster .
#   docker run -p 8080:8080 -v roster-state:/var/lib/roster -v "$PWD/examples:/manifests:ro" \
#       -e ROSTER_BASE_URL=https://roster.example.com roster
#
# To follow a repository instead of a mounted folder, give the whole command:
#   docker run … roster serve --listen 0.0.0.0:8080 --repo https://git.example.com/org/teams.git --ref main
# and mount the webhook secret as a file (-e ROSTER_WEBHOOK_SECRET_FILE=/run/secrets/webhook).
# Any other command works too: docker run --rm … roster validate --dir /manifests

# The dependencies' manifests need Swift tools 6.2 or later (Hummingbird 2.28); build with
# the toolchain Roster is developed with.
FROM swift:6.3-bookworm AS build
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libgit2-dev libyaml-dev libsqlite3-dev libjemalloc-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product roster --static-swift-stdlib \
    && install -D .build/release/roster /out/roster

FROM debian:bookworm-slim
# libsqlite3-0: GRDB links the system SQLite (libsqlite3-dev at build time); libjemalloc2:
# roster's allocator (Package.swift says why).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libgit2-1.5 libyaml-0-2 libsqlite3-0 libjemalloc2 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 999 roster \
    && useradd --system --uid 999 --gid roster --create-home --home-dir /var/lib/roster --shell /usr/sbin/nologin roster \
    && mkdir /manifests
COPY --from=build /out/roster /usr/local/bin/roster
# Numeric, so that Kubernetes' runAsNonRoot can check it. 999 is what useradd --system chose
# here before the ids were pinned (the highest free system id), so volumes made by earlier
# images stay readable.
USER 999:999
WORKDIR /var/lib/roster
# The store, its secret key (roster.db.key, made on first start) and the fetched
# repositories' cache live in the volume; roster reads these variables itself.
ENV ROSTER_STORE=sqlite:/var/lib/roster/roster.db \
    ROSTER_CACHE_DIR=/var/lib/roster/cache \
    ROSTER_BASE_URL=http://localhost:8080
VOLUME ["/var/lib/roster"]
EXPOSE 8080
# No curl in the slim image: bash's /dev/tcp asks /healthz (the port of the default command).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["roster"]
CMD ["serve", "--listen", "0.0.0.0:8080", "--dir", "/manifests"]
