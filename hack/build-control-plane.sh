#!/usr/bin/env bash
# Builds the control-plane binaries that tests and local mode run — etcd, kube-apiserver,
# kube-controller-manager (garbage collection and namespace deletion) and kubectl — from the
# pinned Go modules under hack/tools into the given directory (default bin/).
# Nothing is downloaded but Go modules. A binary is rebuilt only when its pinned module files
# change: each binary has a stamp file holding the hash of the files it was built from.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/bin}
mkdir -p "$out"

# build NAME TOOLS_DIR PACKAGE: go build PACKAGE inside the tools module TOOLS_DIR into $out/NAME.
build() {
	local name=$1 dir=$root/hack/tools/$2 pkg=$3
	local want have
	want=$(cat "$dir"/go.mod "$dir"/go.sum "$dir"/*.go 2>/dev/null | sha256sum | cut -d' ' -f1)
	have=$(cat "$out/.$name.stamp" 2>/dev/null || true)
	if [[ -x $out/$name && $want == "$have" ]]; then
		return 0
	fi
	echo "building $name from $(cd "$dir" && go list -m -f '{{.Path}}' 2>/dev/null) (pinned in hack/tools/$2/go.mod)..." >&2
	local start=$SECONDS
	(cd "$dir" && CGO_ENABLED=0 go build -trimpath -o "$out/$name.tmp" "$pkg")
	mv "$out/$name.tmp" "$out/$name"
	echo "$want" >"$out/.$name.stamp"
	echo "built $out/$name in $((SECONDS - start))s" >&2
}

build etcd etcd .
build kube-apiserver kube k8s.io/kubernetes/cmd/kube-apiserver
build kube-controller-manager kube k8s.io/kubernetes/cmd/kube-controller-manager
build kubectl kube k8s.io/kubernetes/cmd/kubectl
