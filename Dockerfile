# Image for the worker and the API; docker-compose.yml runs it twice with different commands.
FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm install --no-save tsx@4.23.15
COPY . .
USER node
# The heap options match worker/node-options.ts.
CMD ["node", "--max-semi-space-size=8", "--max-old-space-size=256", "--import", "tsx", "worker/main.ts"]
