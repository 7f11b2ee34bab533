# One image for every role (api, collab, worker, projector); the role is chosen by the command.
FROM node:20-bookworm-slim

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
# Generates the seccomp filter, checks the toolchains and installs the linters once at build time.
RUN bash scripts/setup-sandbox.sh && bash scripts/setup-analysis.sh

ENV NODE_ENV=production PORT=3000
EXPOSE 3000 3001
ENTRYPOINT ["node", "--import", "tsx", "src/cli.ts"]
CMD ["serve", "--role", "all"]
