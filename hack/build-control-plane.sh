#!/usr/bin/env bash
# Builds the control-plane binaries that tests and local mode run — etcd, kube-apiserver,
# kube-controller-manager (garbage collection and namespace deletion) and kubectl — from the
# pinned Go modules under hack/tools into the given directory (default bin/). Nothing is
# downloaded but Go modules. A binary is rebuilt only when what it is built from changes: each
# has a stamp file holding the hash of its tools module and its build flags (hack/build-tool.sh).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/bin}
mkdir -p "$out"

# build NAME TOOLS_DIR PACKAGE [LDFLAGS]: go build PACKAGE inside the tools module TOOLS_DIR into
# $out/NAME, unless its stamp says it is up to date (see build-tool.sh).
build() { "$root/hack/build-tool.sh" "$out" "$@"; }

# Kubernetes binaries built from the module report the pinned version, not v0.0.0-master.
kube_version=$(cd "$root/hack/tools/kube" && go list -m -f '{{.Version}}' k8s.io/kubernetes)
kube_minor=$(echo "$kube_version" | cut -d. -f2)
kube_ldflags="-X k8s.io/component-base/version.gitVersion=$kube_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$kube_minor -X k8s.io/component-base/version.gitTreeState=clean"

build etcd etcd .
build kube-apiserver kube k8s.io/kubernetes/cmd/kube-apiserver "$kube_ldflags"
build kube-controller-manager kube k8s.io/kubernetes/cmd/kube-controller-manager "$kube_ldflags"
build kubectl kube k8s.io/kubernetes/cmd/kubectl "$kube_ldflags"
