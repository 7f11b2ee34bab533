# One image for every role (api, collab, worker, projector); the role is chosen by the command.
# Node 24 (active LTS); the code also runs on Node 20, the floor in package.json "engines".
FROM node:24.11.1-bookworm-slim

# The sandbox chain and the toolchains of the eight judged languages, from Debian.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      bubblewrap util-linux mount libseccomp-dev gcc g++ make python3 openjdk-17-jdk-headless golang-go rustc \
      postgresql-client ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY . .
# Generates the seccomp filter, checks the toolchains and installs the linters once at build time; compiles the
# sources into dist/, which bin/syncode runs (docs/architecture.md, "Memory").
RUN bash scripts/setup-sandbox.sh && bash scripts/setup-analysis.sh && bash scripts/build.sh

ENV NODE_ENV=production PORT=3000
EXPOSE 3000 3001 3002 3003 3004
# Roles run unprivileged; docker compose gives the worker root with the few capabilities the sandbox needs.
USER node
# bin/syncode runs the compiled dist/cli.js with the memory settings of every role (docs/architecture.md, "Memory").
ENTRYPOINT ["/app/bin/syncode"]
CMD ["serve", "--role", "all"]
