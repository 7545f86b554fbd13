# syntax=docker/dockerfile:1
# The Homing dispatcher: `docker build -t homing-dispatcher .` (see docker-compose.yml for a whole setup).

# Build: every workspace's dependencies (the lockfile covers them all), compile the library and the
# dispatcher, then drop the development dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund \
 && npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# Run: production dependencies and compiled code only, as the unprivileged `node` user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/libs/webhooks/package.json ./libs/webhooks/
COPY --from=build --chown=root:root /app/libs/webhooks/dist ./libs/webhooks/dist
COPY --from=build --chown=root:root /app/apps/dispatcher/package.json ./apps/dispatcher/
COPY --from=build --chown=root:root /app/apps/dispatcher/dist ./apps/dispatcher/dist
COPY --from=build --chown=root:root /app/apps/portal/dist ./apps/portal/dist
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/api/v1/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "apps/dispatcher/dist/main.js"]
