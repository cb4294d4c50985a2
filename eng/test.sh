#!/usr/bin/env bash
# Installs what the test suite needs (idempotently: chDB from npm, PostgreSQL and Chromium from apt,
# the dashboard's npm packages) and
# runs every test project. Prints one summary line "N passed, N failed, N skipped".
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RESULTS="$ROOT/.tally/test-results"
rm -rf "$RESULTS" && mkdir -p "$RESULTS"

command -v dotnet >/dev/null || { echo "test: the .NET 10 SDK is required." >&2; exit 1; }

echo "==> chDB (embedded ClickHouse)" >&2
TALLY_CHDB_LIB="${TALLY_CHDB_LIB:-$("$ROOT/eng/fetch-chdb.sh")}"
export TALLY_CHDB_LIB

echo "==> PostgreSQL (ledger conformance suite)" >&2
if PG="$("$ROOT/eng/start-postgres.sh")"; then
  export TALLY_TEST_POSTGRES="$PG"
else
  echo "PostgreSQL could not be started; its ledger tests will report skipped." >&2
fi

echo "==> OpenMeter's JS SDK (compatibility test)" >&2
if command -v npm >/dev/null; then
  npm ci --prefix "$ROOT/tests/sdk" --no-audit --no-fund --loglevel=error >&2 || echo "npm ci failed; the SDK test will report skipped." >&2
else
  echo "npm is not on PATH; the SDK test will report skipped." >&2
fi

echo "==> usage dashboard (npm ci + vite build)" >&2
"$ROOT/eng/build-dashboard.sh"

echo "==> Chromium (browser tests)" >&2
CHROMIUM="${TALLY_TEST_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }; } >&2 \
    || echo "Chromium could not be installed; the browser tests will report skipped." >&2
fi
[ -x "$CHROMIUM" ] || echo "No Chromium at $CHROMIUM; the browser tests will report skipped." >&2

echo "==> Python grpcio (independent gRPC client of the ingest service)" >&2
if ! /usr/bin/python3 -c "import grpc, google.protobuf" 2>/dev/null; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-grpcio python3-protobuf >&2 \
      || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-grpcio python3-protobuf >&2; } \
      || echo "python3-grpcio could not be installed; the gRPC client test will report skipped." >&2
  else
    echo "python3-grpcio is missing and apt-get is not usable here; the gRPC client test will report skipped." >&2
  fi
fi

echo "==> build" >&2
dotnet build "$ROOT/Tally.slnx" -c Release -nologo -v q -clp:ErrorsOnly

status=0
echo "==> helm chart (static check; no helm binary here)" >&2
if python3 -c "import yaml" 2>/dev/null; then
  python3 "$ROOT/eng/check-helm.py" || status=1
else
  echo "check-helm: skipped, python3 has no yaml module (apt-get install python3-yaml)" >&2
fi

for project in tests/Tally.Tests tests/Tally.EndToEnd tests/Tally.Browser; do
  name="$(basename "$project")"
  echo "==> $name" >&2
  if ! timeout 900 dotnet test "$project" -c Release --no-build -nologo \
      --logger "console;verbosity=normal" --results-directory "$RESULTS/$name" 2>&1 | tee "$RESULTS/$name.log"; then
    status=1
  fi
done

# With the normal-verbosity console logger, dotnet test ends each project with
# "Passed: P", "Failed: F" and "Skipped: S" lines (absent when zero); add them up.
read -r passed failed skipped < <(cat "$RESULTS"/*.log | awk '
  /^ +Passed: +[0-9]+$/ {p += $2} /^ +Failed: +[0-9]+$/ {f += $2} /^ +Skipped: +[0-9]+$/ {s += $2}
  END {print p+0, f+0, s+0}')
# Repeat each failure (name, message, first stack lines) at the very end, where a CI excerpt shows it.
if [ "$failed" -gt 0 ]; then
  echo "==> failures"
  for log in "$RESULTS"/*.log; do
    awk '/^ +Failed [A-Za-z]/ {n = 14} n > 0 {print; n--}' "$log"
  done
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
if [ "$failed" -gt 0 ] || [ "$passed" -eq 0 ]; then status=1; fi
exit $status
