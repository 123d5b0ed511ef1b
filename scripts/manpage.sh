#!/bin/sh
# Writes manpages/abtop.1.gz, the single man page (it documents every
# command) that the release archives and the Homebrew cask ship. goreleaser
# runs this as a `before` hook.
#
# usage: scripts/manpage.sh [VERSION [DATE]]
#   VERSION  shown in the page footer (default: dev)
#   DATE     RFC 3339 date of the page (default: the last commit's date), so
#            the same commit always yields the same bytes
set -eu
cd "$(dirname "$0")/.."

version=${1:-dev}
date=${2:-$(git log -1 --format=%cI 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/abtop" -ldflags "-X main.version=$version -X main.date=$date" ./cmd/abtop

rm -rf manpages
mkdir manpages
"$tmp/abtop" man >"$tmp/abtop.1"
# -n leaves the file name and time out of the gzip header (reproducible).
gzip -n -9 <"$tmp/abtop.1" >manpages/abtop.1.gz
