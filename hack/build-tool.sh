# Sourced by hack/build-*.sh: the stamp-cached build of one tool binary from a pinned tools
# module under hack/tools. The caller sets $root (the repository) and $out (where binaries go).

# build NAME TOOLS_DIR PACKAGE [LDFLAGS]: go build PACKAGE inside the tools module TOOLS_DIR into
# $out/NAME. A binary is rebuilt only when what it is built from changes: its stamp file holds
# the hash of its tools module and its build flags.
build() {
	local name=$1 dir=$root/hack/tools/$2 pkg=$3 ldflags=${4:-}
	local want have
	want=$( (cat "$dir"/go.mod "$dir"/go.sum "$dir"/*.go 2>/dev/null; echo "$pkg $ldflags") | sha256sum | cut -d' ' -f1)
	have=$(cat "$out/.$name.stamp" 2>/dev/null || true)
	if [[ -x $out/$name && $want == "$have" ]]; then
		return 0
	fi
	echo "building $name from hack/tools/$2 (takes minutes the first time)..." >&2
	local start=$SECONDS
	(cd "$dir" && CGO_ENABLED=0 go build -ldflags "$ldflags" -o "$out/$name.tmp" "$pkg")
	mv "$out/$name.tmp" "$out/$name"
	echo "$want" >"$out/.$name.stamp"
	echo "built $out/$name in $((SECONDS - start))s" >&2
}
