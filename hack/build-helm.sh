#!/usr/bin/env bash
# Builds helm, which the chart tests run (lint, template), from the pinned Go module
# hack/tools/helm into the given directory (default bin/); rebuilt only when the pin changes.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/bin}

# `helm version` reports the pinned release, as an upstream build does; -s -w as upstream too
# (and a faster link).
helm_version=$(cd "$root/hack/tools/helm" && go list -m -f '{{.Version}}' helm.sh/helm/v4)
"$root/hack/build-tool.sh" "$out" helm helm helm.sh/helm/v4/cmd/helm "-s -w -X helm.sh/helm/v4/internal/version.version=$helm_version -X helm.sh/helm/v4/internal/version.metadata= -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
