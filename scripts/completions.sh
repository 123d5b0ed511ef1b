#!/bin/sh
# Writes the shell completion scripts that the release archives and the
# Homebrew cask ship (goreleaser runs this as a `before` hook):
#   completions/abtop.bash  completions/_abtop (zsh)  completions/abtop.fish
#   completions/abtop.ps1
# The zsh file is named _abtop so it can be dropped into $fpath as is.
set -eu
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Build once rather than `go run` four times.
go build -o "$tmp/abtop" ./cmd/abtop

rm -rf completions
mkdir completions
"$tmp/abtop" completion bash >completions/abtop.bash
"$tmp/abtop" completion zsh >completions/_abtop
"$tmp/abtop" completion fish >completions/abtop.fish
"$tmp/abtop" completion powershell >completions/abtop.ps1
