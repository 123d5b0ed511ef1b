#!/usr/bin/env bash
# Makes sure redis-server is on PATH so the shared-budget tests
# (apiclient/budget/redisbudget) run against a real server in CI instead of
# skipping. The tests start their own server on a free loopback port; this
# script only installs the binary (Debian package) and never starts a daemon.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  echo "redis-server present: $(redis-server --version)"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "redis-server is missing and apt-get is not available: install redis-server (>= 6) by hand" >&2
  exit 1
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "redis-server is missing and installing it needs root (no sudo found)" >&2
    exit 1
  fi
fi

echo "installing redis-server from the Debian packages"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server
# The package may start a system daemon on 6379; the tests never use it.
echo "redis-server installed: $(redis-server --version)"
