#!/usr/bin/env bash
# Runs golangci-lint with the pinned version. Called by .ci/run.
#
# golangci-lint compiles for several minutes on a cold 2-core machine, so it
# is installed only when the pinned version is not already in
# $(go env GOPATH)/bin (or $(go env GOBIN)); like goreleaser, .ci/run starts
# "install" in the background so the compile overlaps the tests.
set -euo pipefail

mode=${1:-all}
want=v2.15.0
module=github.com/golangci/golangci-lint/v2

cd "$(dirname "$0")/.."

bindir=$(go env GOBIN)
if [ -z "$bindir" ]; then
	gopath=$(go env GOPATH)
	bindir=${gopath%%:*}/bin
fi
bin=$bindir/golangci-lint

have=$( { go version -m "$bin" 2>/dev/null || true; } | awk '$1 == "mod" && $2 == "'"$module"'" { print $3 }')
if [ "$have" != "$want" ]; then
	echo "lint: installing $module@$want (have: ${have:-none}); this takes several minutes" >&2
	go install "$module/cmd/golangci-lint@$want"
fi
[ "$mode" = install ] && exit 0

"$bin" run ./...
