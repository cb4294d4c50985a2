#!/usr/bin/env bash
# Installs chDB's libchdb.so (embedded ClickHouse) from npm into Tally's cache and prints its path.
# Idempotent: when the library is already installed it only prints the path.
set -euo pipefail

version="26.5.3"
cache_dir="${TALLY_CACHE_DIR:-$HOME/.cache/tally}"
target_dir="$cache_dir/chdb/$version"
target="$target_dir/libchdb.so"

if [[ -s "$target" ]]; then
  echo "$target"
  exit 0
fi

mkdir -p "$target_dir"
work="$(mktemp -d "$target_dir/.fetch.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "fetch-chdb: downloading @chdb/lib-linux-x64-gnu@$version from npm (~166 MB)..." >&2
(cd "$work" && npm pack --silent "@chdb/lib-linux-x64-gnu@$version" >/dev/null)
tarball="$(ls "$work"/*.tgz)"
tar -xzf "$tarball" -C "$work"
lib="$(find "$work" -name libchdb.so -type f | head -n 1)"
if [[ -z "$lib" ]]; then
  echo "fetch-chdb: libchdb.so not found in $tarball" >&2
  exit 1
fi

# Same-directory rename keeps the install atomic: readers see no file or the whole file.
mv "$lib" "$work/libchdb.so.partial"
mv -f "$work/libchdb.so.partial" "$target"
echo "fetch-chdb: installed $target" >&2
echo "$target"
