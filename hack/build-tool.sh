#!/usr/bin/env bash
# build-tool.sh OUT NAME TOOLS_DIR PACKAGE [LDFLAGS [STAMP_EXTRA]]: go build PACKAGE inside the
# pinned tools module hack/tools/TOOLS_DIR into OUT/NAME (with CGO_ENABLED=0). Nothing is
# downloaded but Go modules. The binary is rebuilt only when what it is built from changes: it has
# a stamp file OUT/.NAME.stamp holding the hash of its tools module, its build flags and
# STAMP_EXTRA (anything else the binary depends on, e.g. the Go version).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=$1 name=$2 dir=$root/hack/tools/$3 pkg=$4 ldflags=${5:-} extra=${6:-}
mkdir -p "$out"

want=$( (cat "$dir"/go.mod "$dir"/go.sum "$dir"/*.go 2>/dev/null; echo "$pkg $ldflags"; [[ -z $extra ]] || echo "$extra") | sha256sum | cut -d' ' -f1)
have=$(cat "$out/.$name.stamp" 2>/dev/null || true)
if [[ -x $out/$name && $want == "$have" ]]; then
	exit 0
fi
echo "building $name from hack/tools/$3 (takes minutes the first time)..." >&2
start=$SECONDS
(cd "$dir" && CGO_ENABLED=0 go build -ldflags "$ldflags" -o "$out/$name.tmp" "$pkg")
mv "$out/$name.tmp" "$out/$name"
echo "$want" >"$out/.$name.stamp"
echo "built $out/$name in $((SECONDS - start))s" >&2
