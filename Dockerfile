# Image for the worker and the API; docker-compose.yml runs it twice with different commands.
FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm install --no-save tsx@4.23.15
COPY . .
RUN npx tsx worker/build-worker.ts
# Keeps freed large blocks returning to the system; see worker/node-options.ts.
ENV MALLOC_MMAP_THRESHOLD_=131072
USER node
# The worker runs compiled, with the heap options of worker/node-options.ts.
CMD ["node", "--max-semi-space-size=16", "--max-old-space-size=256", "--enable-source-maps", ".build/worker.mjs"]
