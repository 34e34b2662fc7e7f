#!/usr/bin/env bash
# A manager's start against an API server that keeps running, as a pod's restart or a rolling
# update in a cluster: a second Tessera in cluster mode (leader election on) starts against the
# control plane of a running `tessera local`, which stays up meanwhile. It prints the time from
# its start to /readyz 200 (caches synced, keys loaded, bootstrap done: what its readiness probe
# waits for), its VmHWM and VmRSS every 10 s while it leads and reconciles every object once,
# and its reconcile counts; then it stops the replica (SIGTERM, which releases the lease).
# A local start restarts etcd and the API server too, whose watch caches then decode every custom
# resource from etcd first (docs/benchmarks.md); this measures the manager alone.
#
#   hack/replica-start.sh [BIN]      BIN defaults to bin/tessera
#
# Environment: KUBECONFIG (default .tessera/kubeconfig), ISSUER (the local Tessera's, default
# http://127.0.0.1:5170 as make run's; another would re-sign every JWT), GOMEMLIMIT (default 921MiB: 90 % of a
# 1 GiB container, as internal/memlimit derives it), SAMPLES (default 18: three minutes), OUT
# (default a temporary directory: the replica's log and a heap profile after a collection).
set -euo pipefail
BIN=${1:-bin/tessera}
export KUBECONFIG=${KUBECONFIG:-.tessera/kubeconfig} GOMEMLIMIT=${GOMEMLIMIT:-921MiB}
OUT=${OUT:-$(mktemp -d)}
SAMPLES=${SAMPLES:-18}
# Its own ports beside the local Tessera's; the local one's webhook certificate (not a new one,
# which would replace the CA in the webhook configurations the local one serves).
started=$(date +%s.%N)
"$BIN" -namespace tessera-system -rest-addr 127.0.0.1:5173 -metrics-bind-address 127.0.0.1:8090 \
  -health-probe-bind-address 127.0.0.1:8091 -pprof-bind-address 127.0.0.1:6063 -leader-elect \
  -issuer "${ISSUER:-http://127.0.0.1:5170}" -webhook-port 9444 -webhook-cert-self-managed=false -webhook-cert-dir "$(dirname "$KUBECONFIG")/webhook-certs" \
  >"$OUT/log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' EXIT
echo "replica pid $pid, log $OUT/log, load $(cut -d' ' -f1-3 /proc/loadavg)"
until curl -sf 127.0.0.1:8091/readyz >/dev/null 2>&1; do
  kill -0 $pid 2>/dev/null || { echo "the replica exited; see $OUT/log"; exit 1; }
  sleep 0.2
done
echo "start → /readyz 200: $(echo "$(date +%s.%N) - $started" | bc) s"
mib() { awk -v k="$1" '$1 == k":" {printf "%d MiB", $2/1024}' /proc/$pid/status; }
for i in $(seq 1 "$SAMPLES"); do
  echo "+$((i * 10 - 10)) s: VmHWM $(mib VmHWM), VmRSS $(mib VmRSS)"
  sleep 10
done
curl -s 127.0.0.1:8090/metrics | grep '^controller_runtime_reconcile_total' | grep -v ' 0$' || true
curl -s '127.0.0.1:6063/debug/pprof/heap?gc=1' >"$OUT/heap.pb.gz"
echo "heap profile: go tool pprof -sample_index=inuse_space -top $OUT/heap.pb.gz"
kill -TERM $pid
wait $pid || true
trap - EXIT
