# syntax=docker/dockerfile:1
# plane-mcp servers. One image, one process per container, chosen by the command:
#   servers/control-plane/main.ts        (default) control-plane MCP server
#   servers/observability-plane/main.ts  observability-plane MCP server
#   servers/demo-data-plane/main.ts      simulated data plane (OpenSearch + Prometheus backend)
# Flags follow the file, e.g. `servers/control-plane/main.ts --read-only`. Configuration is by
# PLANE_* environment variables (README.md, "Configuration"); docker-compose.yml shows a full set.
# TypeScript runs through tsx (a runtime dependency), exactly as `npm start` runs it.

ARG NODE_IMAGE=node:22.14.0-bookworm-slim

FROM ${NODE_IMAGE} AS dependencies
WORKDIR /app
# better-sqlite3 normally installs a prebuilt binary; the toolchain is its fallback when none matches.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    PLANE_DATA_DIR=/var/lib/plane-mcp \
    PLANE_POLICY_DIR=/app/policies
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY shared ./shared
COPY servers ./servers
COPY policies ./policies
COPY deploy/healthcheck.mjs ./deploy/healthcheck.mjs
# Non-root: the image's `node` user (uid 1000) owns only the data directory (SQLite audit and
# incident files; the control plane's resources live in PostgreSQL when PLANE_STORE=postgres).
RUN mkdir -p /var/lib/plane-mcp && chown node:node /var/lib/plane-mcp
USER node
EXPOSE 8080 8081
# GET /healthz on the control plane's default port; set HEALTHCHECK_URL (or override the check, as
# docker-compose.yml does) for another port or the observability plane. The demo data plane serves
# no HTTP: disable the check for it.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["node", "deploy/healthcheck.mjs"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "--import", "tsx"]
CMD ["servers/control-plane/main.ts"]
