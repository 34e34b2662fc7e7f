#!/usr/bin/env bash
# Builds golangci-lint, which `make lint` runs, from the pinned Go module hack/tools/golangci-lint
# into the given directory (default bin/); cached by a stamp like the control plane
# (hack/build-tool.sh). golangci-lint refuses code whose go directive is newer than the Go it was
# built with, so the Go version is part of the stamp.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/bin}

dir=$root/hack/tools/golangci-lint
version=$(cd "$dir" && go list -m -f '{{.Version}}' github.com/golangci/golangci-lint/v2)
date=$(cd "$dir" && go list -m -f '{{.Time.Format "2006-01-02T15:04:05Z"}}' github.com/golangci/golangci-lint/v2)
# `golangci-lint version` reports the pinned version rather than (devel).
ldflags="-X main.version=${version#v} -X main.commit=$version -X main.date=$date"

"$root/hack/build-tool.sh" "$out" golangci-lint golangci-lint \
	github.com/golangci/golangci-lint/v2/cmd/golangci-lint "$ldflags" "$(go env GOVERSION)"
