#!/usr/bin/env bash
# `make bench`: reruns the commands of docs/benchmarks.md and prints their results as tables at
# the end.
#
#   - always: the Go micro-benchmarks (internal/jwt, internal/password, internal/tree);
#   - when a local Tessera answers on its /healthcheck ($TESSERA_REST_ADDR, else 127.0.0.1:5170;
#     start one with `make run` in another terminal): the load runs of hack/bench — Tokens one at
#     a time and in a burst, populating 10,000 Accounts and Tokens (then the manager's RSS), and
#     the REST runs. POST /1/accounts and /1/tokens need TESSERA_ADMIN_LOGIN and
#     TESSERA_ADMIN_PASSWORD (those of `make run`); without them they are skipped.
#
# Environment: BENCH_KUBECONFIG (default .tessera/kubeconfig, the one `make run` writes),
# BENCH_TOKENS (Tokens per token run, default 1000), BENCH_POPULATE (Accounts to populate,
# default 10000; 0 skips it), BENCH_DURATION (each REST level, default 10s).
set -euo pipefail
cd "$(dirname "$0")/.."

kubeconfig=${BENCH_KUBECONFIG:-.tessera/kubeconfig}
tokens=${BENCH_TOKENS:-1000}
populate=${BENCH_POPULATE:-10000}
duration=${BENCH_DURATION:-10s}

# The REST address is a listen address (":5170", "0.0.0.0:5170"): hack/bench only talks to
# loopback.
addr=${TESSERA_REST_ADDR:-127.0.0.1:5170}
port=${addr##*:}
host=${addr%:*}
case $host in "" | 0.0.0.0 | "[::]") host=127.0.0.1 ;; esac
url=http://$host:$port

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
micro=$work/micro.txt load=$work/load.txt
touch "$micro" "$load"

echo "bench: Go micro-benchmarks (docs/benchmarks.md, Go micro-benchmarks)"
go test ./internal/jwt/ -run XXX -bench . -benchtime 2000x | tee -a "$micro"
go test ./internal/password/ ./internal/tree/ -run XXX -bench . -benchmem | tee -a "$micro"

# run LABEL ARGS...: one hack/bench run, its output kept for the table under LABEL.
run() {
	local label=$1
	shift
	echo "bench: $label: bench $*"
	"$work/bench" "$@" -kubeconfig "$kubeconfig" -url "$url" | tee "$work/out"
	sed "s|^|$label	|" "$work/out" >>"$load"
}

if ! curl -fsS --max-time 3 "$url/healthcheck" >/dev/null 2>&1; then
	cat <<EOF

bench: no local Tessera answers on $url/healthcheck: ran the micro-benchmarks only.
bench: for the load runs, start one in another terminal and rerun make bench:
bench:   TESSERA_ADMIN_LOGIN=admin@example.com TESSERA_ADMIN_PASSWORD='change-me-Now1' make run
EOF
elif [[ ! -f $kubeconfig ]]; then
	cat <<EOF

bench: a Tessera answers on $url, but $kubeconfig is missing (is it another checkout's?):
bench: ran the micro-benchmarks only; set BENCH_KUBECONFIG to its kubeconfig for the load runs.
EOF
else
	echo "bench: local Tessera on $url: load runs (hack/bench)"
	go build -o "$work/bench" ./hack/bench
	run "$tokens Tokens, one at a time" tokens -n "$tokens" -concurrency 1
	run "$tokens Tokens, burst of 16 in flight" tokens -n "$tokens" -concurrency 16
	if ((populate > 0)); then
		run "populate $populate" populate -n "$populate" -concurrency 16
	fi
	run verify verify -c 1,8,64 -d "$duration"
	run login login -c 1,2,8 -d "$duration"
	if [[ -n ${TESSERA_ADMIN_LOGIN:-} && -n ${TESSERA_ADMIN_PASSWORD:-} ]]; then
		run rest-create rest-create -c 1,2 -d "$duration"
	else
		echo "bench: TESSERA_ADMIN_LOGIN and TESSERA_ADMIN_PASSWORD unset: skipped POST /1/accounts and /1/tokens"
	fi
fi

echo
echo "## Results $(date -u +%Y-%m-%d) (load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "| Benchmark | time/op | memory/op | allocs/op |"
echo "|---|---|---|---|"
# go test -bench lines: BenchmarkName-CPUS  N  X ns/op  [Y B/op  Z allocs/op]; the package is
# on the "pkg:" line before them. Times and sizes in the units docs/benchmarks.md uses.
awk '
	function t(ns) {
		if (ns >= 1e6) return sprintf("%.3g ms", ns / 1e6)
		if (ns >= 1e3) return sprintf("%.3g µs", ns / 1e3)
		return sprintf("%.3g ns", ns)
	}
	function sz(b) {
		if (b >= 1048576) return sprintf("%.3g MiB", b / 1048576)
		if (b >= 1024) return sprintf("%.3g KiB", b / 1024)
		return b " B"
	}
	/^pkg: / { pkg = $2; sub(/.*\//, "", pkg) }
	/^Benchmark/ {
		name = $1; sub(/-[0-9]+$/, "", name)
		ns = b = allocs = "—"
		for (i = 3; i < NF; i++) {
			if ($(i+1) == "ns/op") ns = t($i)
			if ($(i+1) == "B/op") b = sz($i)
			if ($(i+1) == "allocs/op") allocs = $i
		}
		printf "| %s `%s` | %s | %s | %s |\n", pkg, name, ns, b, allocs
	}' "$micro"

if [[ -s $load ]]; then
	# hack/bench prints key=value fields: tokens=… p50=…, or NAME concurrency=… rate=… p50=….
	echo
	echo "| Run | p50 | p90 | p99 | max | throughput |"
	echo "|---|---|---|---|---|---|"
	awk -F'\t' '$2 ~ /^tokens=/ {
		n = split($2, kv, " "); delete f
		for (i = 1; i <= n; i++) { split(kv[i], p, "="); f[p[1]] = p[2] }
		printf "| %s | %s | %s | %s | %s | %s |\n", $1, f["p50"], f["p90"], f["p99"], f["max"], f["throughput"]
	}' "$load"
	if grep -q '^populate' "$load"; then
		echo
		echo "| Populate | Result |"
		echo "|---|---|"
		awk -F'\t' '$1 ~ /^populate/ { printf "| %s | %s |\n", $1, $2 }' "$load"
	fi
	echo
	echo "| REST run | requests/s | p50 | p99 | requests | failed |"
	echo "|---|---|---|---|---|---|"
	awk -F'\t' '$2 ~ / concurrency=[0-9]+ requests=/ {
		name = $2; sub(/ concurrency=.*/, "", name)
		rest = substr($2, length(name) + 2)
		n = split(rest, kv, " "); delete f
		for (i = 1; i <= n; i++) { split(kv[i], p, "="); f[p[1]] = p[2] }
		printf "| %s, concurrency %s | %s | %s | %s | %s | %s |\n", name, f["concurrency"], f["rate"], f["p50"], f["p99"], f["requests"], f["failed"]
	}' "$load"
fi
