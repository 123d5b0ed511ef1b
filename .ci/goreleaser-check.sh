#!/usr/bin/env bash
# Validates .goreleaser.yaml with the pinned goreleaser. Called by .ci/run.
#
# goreleaser compiles for ~8 minutes on a cold 2-core machine, so it is
# installed only when the pinned version is not already in $(go env GOPATH)/bin
# (or $(go env GOBIN), where `go install` puts it when that is set).
set -euo pipefail

# Usage: goreleaser-check.sh [install|check|all] (default all). .ci/run
# starts "install" in the background so the compile overlaps the tests.
mode=${1:-all}
want=v2.15.1
module=github.com/goreleaser/goreleaser/v2

cd "$(dirname "$0")/.."

bindir=$(go env GOBIN)
if [ -z "$bindir" ]; then
	gopath=$(go env GOPATH)
	bindir=${gopath%%:*}/bin # go install uses the first GOPATH entry
fi
bin=$bindir/goreleaser

# Read the version from the binary's build info rather than running it: a
# stale or foreign goreleaser on disk is replaced, not trusted.
have=$( { go version -m "$bin" 2>/dev/null || true; } | awk '$1 == "mod" && $2 == "'"$module"'" { print $3 }')
if [ "$have" != "$want" ]; then
	echo "goreleaser-check: installing $module@$want (have: ${have:-none}); this takes several minutes" >&2
	go install "$module@$want"
fi
[ "$mode" = install ] && exit 0

# goreleaser reads the repository's remote URL even though `check` never
# contacts it. When the clone has none (a local CI clone), lend it one
# through git's environment config for this run only, so the developer's
# repository is left untouched.
if [ -z "$(git remote)" ]; then
	export GIT_CONFIG_COUNT=1
	export GIT_CONFIG_KEY_0=remote.origin.url
	export GIT_CONFIG_VALUE_0=https://github.com/abtop-dev/abtop.git
fi

"$bin" check
