# syntax=docker/dockerfile:1
# Trialgate images, for sites that deploy with containers (docker-compose.yml runs the whole stack).
#   runtime: the `trialgate` command (gateway, anchor worker, simulator, export, verify, ...), as user node
#   chain:   anvil, the local development chain, from the same @foundry-rs/anvil the repository locks
# Build: docker compose build   (or: docker build --target runtime -t trialgate .)

# --- build: install from the lock file and compile (npm ci runs the root prepare script: tsc -b)
FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles from source when no prebuilt binary matches the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
# Every workspace of package.json (npm ci needs them all; test/deploy checks that none is missing).
COPY firmware-protocol/ firmware-protocol/
COPY proof-formats/ proof-formats/
COPY gateway/ gateway/
COPY anchor-service/ anchor-service/
COPY device-sim/ device-sim/
COPY cli/ cli/
COPY test/ test/
COPY bench/ bench/
RUN npm ci --no-audit --no-fund

# --- prod: the same tree without development dependencies
FROM build AS prod
RUN npm prune --omit=dev --no-audit --no-fund

# --- chain: anvil for the local development chain (never for a real site's anchors)
FROM node:20-bookworm-slim AS chain
COPY --from=build /app/node_modules/@foundry-rs/ /opt/foundry-rs/
RUN ln -s "$(ls -d /opt/foundry-rs/anvil-linux-*/bin/anvil | head -n 1)" /usr/local/bin/anvil && anvil --version
USER node
EXPOSE 8545
ENTRYPOINT ["anvil"]
CMD ["--host", "0.0.0.0", "--port", "8545"]

# --- runtime: the trialgate command
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod /app /app
# The data directories belong to the unprivileged user; named volumes mounted there inherit the ownership.
RUN ln -s /app/cli/bin/trialgate.js /usr/local/bin/trialgate \
 && mkdir -p /var/lib/trialgate /var/lib/trialgate-sim /var/lib/trialgate-public \
 && chown node:node /var/lib/trialgate /var/lib/trialgate-sim /var/lib/trialgate-public \
 && chmod 0700 /var/lib/trialgate
USER node
# MQTT (devices), the HTTP API (sponsors).
EXPOSE 1883 8080
VOLUME ["/var/lib/trialgate"]
ENTRYPOINT ["trialgate"]
CMD ["--help"]
