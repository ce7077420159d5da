# The Anansky platform image used by compose.yaml (users' machines with Docker).
FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    zlib1g-dev libssl-dev libsasl2-dev libzstd-dev liblz4-dev && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN CKJS_LINKING=dynamic npm ci --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends \
    zlib1g libssl3 libsasl2-2 libzstd1 liblz4-1 && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/node_modules ./node_modules
COPY package.json ./
COPY core ./core
COPY plugins ./plugins
COPY services ./services
COPY observability ./observability
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080
EXPOSE 8080
USER node
COPY scripts/platform-node-args scripts/platform-env scripts/run-platform.sh ./scripts/
CMD ["bash", "scripts/run-platform.sh"]
