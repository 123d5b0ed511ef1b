#!/usr/bin/env bash
# Installs the programs some tests drive for real, when they are missing, so
# CI runs those tests instead of skipping them:
#   redis-server  shared-budget tests (apiclient/budget/redisbudget)
#   tmux          the dashboard end-to-end test (cmd/abtop)
#   zsh, groff    completion and man-page checks (cmd/abtop)
# Debian packages only; the tests start their own servers and never use a daemon.
set -euo pipefail

declare -A pkg=([redis-server]=redis-server [tmux]=tmux [zsh]=zsh [groff]=groff-base)
missing=()
for bin in "${!pkg[@]}"; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("${pkg[$bin]}")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "deps: all present"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "deps: missing ${missing[*]} and apt-get is not available: install them by hand" >&2
  exit 1
fi
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "deps: installing ${missing[*]} needs root" >&2; exit 1; }
  sudo="sudo"
fi
echo "deps: installing ${missing[*]}"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
