#!/usr/bin/env bash
# Builds the usage dashboard (src/Dashboard: Vite + Preact + uPlot) into src/Dashboard/dist, which
# the host's build copies next to tally.dll as wwwroot/. `npm ci` runs when node_modules is missing
# or older than package-lock.json; the build runs when a source is newer than the last build.
# Without npm it warns and leaves the host serving a page that says how to build it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
APP="$ROOT/src/Dashboard"
STAMP="$APP/dist/index.html"  # written by every build

if ! command -v npm >/dev/null; then
  echo "build-dashboard: npm is not on PATH; the dashboard at / will say it is not built (Node.js 20.19+ needed)." >&2
  exit 0
fi

if [ ! -f "$APP/node_modules/.package-lock.json" ] || [ "$APP/package-lock.json" -nt "$APP/node_modules/.package-lock.json" ]; then
  npm ci --prefix "$APP" --no-audit --no-fund --loglevel=error >&2
fi

if [ -f "$STAMP" ] && [ -z "$(find "$APP/src" "$APP/index.html" "$APP/package.json" "$APP/package-lock.json" "$APP/vite.config.ts" "$APP/tsconfig.json" -newer "$STAMP" -print -quit)" ]; then
  exit 0
fi

npm run build --prefix "$APP" --silent >&2
