# syntax=docker/dockerfile:1
# The podtap image: `podtap hub` and `podtap worker` (docs/deploy.md).
#   docker build -t podtap:0.1.0 .
# The image's user is the hub's non-root user (10001); the worker's pod runs
# it as root with CAP_NET_RAW only (src/deploy/worker.ts explains why).
# src/deploy/dockerfile.test.ts checks this file against package.json.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: dependencies, the libpcap addon, the TypeScript ----
FROM ${NODE_IMAGE} AS build
# build-essential + python3: node-gyp (the addon, and better-sqlite3 when it has no prebuilt binary);
# libpcap-dev: the addon's headers. The official Node image ships Node's headers, so node-gyp downloads none.
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential python3 libpcap-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Everything `npm ci` runs needs: its "install" script builds native/pcap, its "prepare" script compiles src/.
COPY package.json package-lock.json tsconfig.json ./
COPY scripts/build-native.mjs scripts/bundle-read.mjs scripts/
COPY native/pcap/binding.gyp native/pcap/
COPY native/pcap/src native/pcap/src/
COPY src src/
COPY ui ui/
COPY bin bin/
COPY fixtures/demo fixtures/demo/
RUN npm ci --no-audit --no-fund
# build-native.mjs only warns when the addon cannot be built; an image without it could not capture.
# tsc again rewrites dist/, so the bundle `podtap read` runs from (bin/podtap.js) is made again after it.
RUN npx tsc -p tsconfig.json \
 && node scripts/bundle-read.mjs \
 && test -f native/pcap/build/Release/podtap_pcap.node -a -f native/pcap/build/Release/podtap_inflate.node \
 && find dist -name '*.test.js' -o -name '*.test.js.map' | xargs rm -f \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: Node, libpcap, iproute2 (ip, bridge) and the built files only ----
FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpcap0.8 iproute2 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 podtap \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin podtap
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules/
COPY --from=build /app/dist dist/
COPY --from=build /app/bin bin/
COPY --from=build /app/fixtures/demo fixtures/demo/
COPY --from=build /app/native/pcap/build/Release/podtap_pcap.node /app/native/pcap/build/Release/podtap_inflate.node native/pcap/build/Release/
USER 10001:10001
ENTRYPOINT ["node", "/app/bin/podtap.js"]
CMD ["--help"]
