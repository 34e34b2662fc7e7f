#!/usr/bin/env bash
# `make bench`: reruns the commands of docs/benchmarks.md and prints their results as one table
# at the end.
#
#   - always: the Go micro-benchmarks (internal/jwt, password, tree, listindex, index, slimsecret, logging, verify);
#   - when a local Tessera answers on its /healthcheck ($TESSERA_REST_ADDR, else 127.0.0.1:5170;
#     start one with `make run` in another terminal), or BENCH_START=1 lets this script start
#     one: the load runs of hack/bench — Tokens one at a time and in a burst, and a burst against
#     plain Secrets and a controller-less copy of the Token CRD; a population of
#     1,000 Accounts and Tokens, then 10,000 (BENCH_POPULATE), each measured (memory, list and
#     filter p99, the verifier against /healthcheck); at 10,000 the sign-ins, the manager's
#     peak under mixed load, Basic against Bearer and the REST runs; with BENCH_SCALE, a
#     population of that size measured the same way. REST runs sign in as
#     TESSERA_ADMIN_LOGIN / TESSERA_ADMIN_PASSWORD (those of `make run`): without them the load
#     runs are skipped.
#
# Environment:
#   BENCH_KUBECONFIG      default .tessera/kubeconfig, the one `make run` writes
#   BENCH_TOKENS          Tokens per token run, default 1000
#   BENCH_POPULATE        the population of the 11.6 runs, default 10000; 0 skips populating
#   BENCH_DURATION        each REST level, default 10s
#   BENCH_SCALE           e.g. 100000: populate to that size after the other runs and measure
#                         again (off by default: on the 2-core machine it takes an hour or more)
#   BENCH_SCALE_DEADLINE  stop creating after this long (default 25m); the size reached is
#                         measured and reported
#   BENCH_PORTAL          e.g. 1000: build that many companies with ten times as many service
#                         users (1,000 in one) through the portal API and measure its lists,
#                         search and sign-in (issue 10; off by default: 1000 takes about 7 min)
#   BENCH_START           1: when no Tessera answers, start one (bin/tessera local, from make
#                         build) and time it to /healthcheck 200 and the banner; with BENCH_SCALE
#                         restart it once populated, to time a start with that many objects;
#                         stop it at the end
set -euo pipefail
cd "$(dirname "$0")/.."

kubeconfig=${BENCH_KUBECONFIG:-.tessera/kubeconfig}
tokens=${BENCH_TOKENS:-1000}
populate=${BENCH_POPULATE:-10000}
duration=${BENCH_DURATION:-10s}
scale=${BENCH_SCALE:-0}
deadline=${BENCH_SCALE_DEADLINE:-25m}
start=${BENCH_START:-0}
portal=${BENCH_PORTAL:-0}

# The REST address is a listen address (":5170", "0.0.0.0:5170"): hack/bench only talks to
# loopback.
addr=${TESSERA_REST_ADDR:-127.0.0.1:5170}
port=${addr##*:}
host=${addr%:*}
case $host in "" | 0.0.0.0 | "[::]") host=127.0.0.1 ;; esac
url=http://$host:$port

work=$(mktemp -d)
started="" # the process group of a Tessera this script started
stop_started() {
	[[ -n $started ]] || return 0
	echo "bench: stopping the Tessera it started (process group $started)"
	kill -INT -- "-$started" 2>/dev/null || true
	while kill -0 -- "-$started" 2>/dev/null; do sleep 1; done
	started=""
}
trap 'stop_started; rm -rf "$work"' EXIT
micro=$work/micro.txt load=$work/load.txt
touch "$micro" "$load"

echo "bench: Go micro-benchmarks (docs/benchmarks.md, Go micro-benchmarks)"
go test ./internal/jwt/ -run XXX -bench . -benchtime 2000x | tee -a "$micro"
go test ./internal/password/ ./internal/tree/ ./internal/listindex/ ./internal/index/ ./internal/slimsecret/ ./internal/logging/ -run XXX -bench . -benchmem | tee -a "$micro"
if [[ -x bin/kube-apiserver && -x bin/etcd ]]; then
	TESSERA_ASSETS=$PWD/bin go test ./internal/verify/ -run XXX -bench 'VerifyPassword|VerifyToken' -benchtime 2s -benchmem |
		tee -a "$micro"
else
	echo "bench: bin/etcd or bin/kube-apiserver missing (make control-plane): skipped internal/verify"
fi

# bench LABEL MODE ARGS...: one hack/bench run, its output kept for the table under LABEL. A run
# that fails is reported and the others go on.
bench() {
	local label=$1 mode=$2
	shift 2
	echo "bench: $label: bench $mode $*"
	if ! "$work/bench" "$mode" -kubeconfig "$kubeconfig" -url "$url" "$@" | tee "$work/out"; then
		echo "bench: $label: bench $mode failed"
		printf 'row\t%s\tbench %s\tFAILED (see the output above)\t\n' "$label" "$mode" >>"$work/out"
	fi
	sed "s|^|$label	|" "$work/out" >>"$load"
}

# start_tessera: start bin/tessera local and time it (hack/bench startup).
start_tessera() {
	bench startup startup -log "$work/tessera.log" -- bin/tessera local
	started=$(sed -n 's/^startup .* pgid=\([0-9]*\) .*/\1/p' "$work/out")
}

# measure SIZE: the runs at the size there is now.
measure() {
	bench "scale $1" scale -d "$duration"
}

healthy() { curl -fsS --max-time 3 "$url/healthcheck" >/dev/null 2>&1; }

go build -o "$work/bench" ./hack/bench
if ! healthy && [[ $start == 1 ]]; then
	[[ -x bin/tessera ]] || { echo "bench: bin/tessera missing: run make build"; exit 1; }
	start_tessera
fi
if ! healthy; then
	cat <<EOF

bench: no local Tessera answers on $url/healthcheck: ran the micro-benchmarks only.
bench: for the load runs, start one in another terminal and rerun make bench (or set BENCH_START=1):
bench:   TESSERA_ADMIN_LOGIN=admin@example.com TESSERA_ADMIN_PASSWORD='change-me-Now1' make run
EOF
elif [[ ! -f $kubeconfig ]]; then
	cat <<EOF

bench: a Tessera answers on $url, but $kubeconfig is missing (is it another checkout's?):
bench: ran the micro-benchmarks only; set BENCH_KUBECONFIG to its kubeconfig for the load runs.
EOF
elif [[ -z ${TESSERA_ADMIN_LOGIN:-} || -z ${TESSERA_ADMIN_PASSWORD:-} ]]; then
	echo "bench: TESSERA_ADMIN_LOGIN and TESSERA_ADMIN_PASSWORD unset (those of make run): ran the micro-benchmarks only"
else
	echo "bench: local Tessera on $url: load runs (hack/bench)"
	bench "tokens" tokens -n "$tokens" -concurrency 1
	bench "tokens" tokens -n "$tokens" -concurrency 16
	bench "tokens-vs-secrets" tokens-vs-secrets -n 2000 -concurrency 16
	if ((populate > 0)); then
		bench "populate 1000" populate -n 1000 -concurrency 32
		measure 1000
		bench "populate $populate" populate -n "$populate" -concurrency 32
		measure "$populate"
	fi
	bench signin signin -d "$duration"
	bench peak peak -d 30s
	bench basic-vs-bearer basic-vs-bearer -c 8 -d "$duration"
	bench verify verify -c 1,8,64 -d "$duration"
	bench rest-create rest-create -c 1,2 -d "$duration"
	if ((portal > 0)); then
		# The generator on one processor: reading 1–2 MB answers on every core would starve the
		# server it measures on a small machine (docs/benchmarks.md, the portal section).
		GOMAXPROCS=1 bench "portal $portal" portal -companies "$portal" -users $((portal * 10)) -crowd 1000 -c 8 -d "$duration"
	fi
	if ((scale > 0)); then
		bench "populate $scale" populate -n "$scale" -concurrency 32 -deadline "$deadline"
		measure "$scale"
		bench cache-cost cache-cost
		if [[ -n $started ]]; then
			stop_started
			start_tessera
		fi
	fi
fi

echo
echo "## Results $(date -u +%Y-%m-%d) on $(nproc) cores (load average $(cut -d' ' -f1-3 /proc/loadavg) at the end)"
echo
echo "| Run | Measure | Result | Goal |"
echo "|---|---|---|---|"
# go test -bench lines: BenchmarkName-CPUS  N  X ns/op  [Y B/op  Z allocs/op]; the package is
# on the "pkg:" line before them. Times and sizes in the units docs/benchmarks.md uses.
awk '
	function t(ns) {
		if (ns >= 1e9) return sprintf("%.3g s", ns / 1e9)
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
		ns = b = allocs = ""
		for (i = 3; i < NF; i++) {
			if ($(i+1) == "ns/op") ns = t($i)
			if ($(i+1) == "B/op") b = ", " sz($i)
			if ($(i+1) == "allocs/op") allocs = ", " $i " allocs"
		}
		printf "| go test %s | `%s` | %s/op%s%s | |\n", pkg, name, ns, b, allocs
	}' "$micro"
# hack/bench prints its rows as "row<TAB>run<TAB>measure<TAB>result<TAB>goal"; the REST modes
# print key=value lines (NAME concurrency=… requests=… rate=… p50=…), made rows here.
awk -F'\t' '
	$2 == "row" { printf "| %s | %s | %s | %s |\n", $3, $4, $5, $6; next }
	$2 ~ / concurrency=[0-9]+ requests=/ && $1 ~ /^(verify|rest-create)$/ {
		name = $2; sub(/ concurrency=.*/, "", name)
		n = split(substr($2, length(name) + 2), kv, " "); delete f
		for (i = 1; i <= n; i++) { split(kv[i], p, "="); f[p[1]] = p[2] }
		printf "| %s | %s, concurrency %s: requests/s, p50 / p99 | %s (%s failed of %s), %s / %s | |\n",
			$1, name, f["concurrency"], f["rate"], f["failed"], f["requests"], f["p50"], f["p99"]
	}' "$load"
