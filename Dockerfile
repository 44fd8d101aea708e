# Roster in a container: build on the Swift image, run on slim Debian with only the
# runtime libraries, as a non-root user.
FROM swift:6.1-bookworm AS build
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libgit2-dev libyaml-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product roster --static-swift-stdlib \
    && install -D .build/release/roster /out/roster

FROM debian:bookworm-slim
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libgit2-1.5 libyaml-0-2 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /var/lib/roster --shell /usr/sbin/nologin roster
COPY --from=build /out/roster /usr/local/bin/roster
USER roster
WORKDIR /var/lib/roster
ENV ROSTER_STORE=sqlite:/var/lib/roster/roster.db
ENTRYPOINT ["roster"]
CMD ["--help"]
