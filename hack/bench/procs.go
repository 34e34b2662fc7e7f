package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// proc is one process of a local Tessera and its memory from /proc/<pid>/status.
type proc struct {
	name       string // tessera, etcd, kube-apiserver, kube-controller-manager
	pid        int
	rss, hwm   int64 // VmRSS and VmHWM, bytes
	statusRead bool
}

// localProcs finds the processes of the local Tessera whose state directory holds kubeconfig:
// the etcd whose --data-dir lies there, its parent (the tessera process) and the parent's other
// children. It reads /proc only, so that it finds this checkout's Tessera and nobody else's.
func localProcs(kubeconfig string) ([]proc, error) {
	abs, err := filepath.Abs(kubeconfig)
	if err != nil {
		return nil, err
	}
	dataDir := []byte("--data-dir=" + filepath.Join(filepath.Dir(abs), "etcd"))
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	parents := map[int]int{} // pid → ppid
	tessera := 0
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
			parents[pid] = ppidOf(st)
		}
		if cmd, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil && bytes.Contains(cmd, dataDir) {
			tessera = parents[pid]
		}
	}
	if tessera == 0 {
		return nil, fmt.Errorf("no etcd with %s runs: is the local Tessera of %s up?", dataDir, kubeconfig)
	}
	out := []proc{{pid: tessera}}
	for pid, ppid := range parents {
		if ppid == tessera {
			out = append(out, proc{pid: pid})
		}
	}
	for i := range out {
		out[i].read()
	}
	return out, nil
}

// ppidOf reads the parent pid from /proc/<pid>/stat: "pid (comm) state ppid …", where comm may
// hold spaces and parentheses.
func ppidOf(stat []byte) int {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.Atoi(f[1])
	return n
}

// read fills name and memory from /proc/<pid>/status.
func (p *proc) read() {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.pid))
	if err != nil {
		return
	}
	p.statusRead = true
	for l := range strings.SplitSeq(string(b), "\n") {
		k, v, _ := strings.Cut(l, ":")
		v = strings.TrimSpace(v)
		switch k {
		case "Name": // the kernel keeps 15 bytes of it
			p.name = strings.Replace(v, "kube-controller", "kube-controller-manager", 1)
		case "VmRSS":
			p.rss = kib(v)
		case "VmHWM":
			p.hwm = kib(v)
		}
	}
}

func kib(v string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSuffix(v, " kB"), 10, 64)
	return n * 1024
}

// resetPeak starts VmHWM afresh at the current RSS (Linux: 5 written to clear_refs), so that a
// peak read later belongs to the load that ran in between.
func (p proc) resetPeak() error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", p.pid), []byte("5"), 0)
}

func mib(b int64) string { return fmt.Sprintf("%.0fMiB", float64(b)/(1<<20)) }

// memoryLine prints each process's VmRSS and VmHWM as key=value fields: "tessera_rss=312MiB …".
func memoryLine(procs []proc) string {
	var parts []string
	for _, p := range procs {
		if !p.statusRead {
			continue
		}
		n := strings.ReplaceAll(p.name, "-", "_")
		parts = append(parts, fmt.Sprintf("%s_rss=%s %s_hwm=%s", n, mib(p.rss), n, mib(p.hwm)))
	}
	return strings.Join(parts, " ")
}

// tesseraProc is the manager's entry of procs.
func tesseraProc(procs []proc) proc { return procs[0] }

// goHeap reads the manager's Go heap in use and its live target from the REST server's
// /metrics (go_memstats_*): what the caches and indexes hold, without the runtime's slack.
func goHeap(url string) string {
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		return "heap=?"
	}
	defer func() { _ = resp.Body.Close() }()
	want := map[string]string{"go_memstats_heap_inuse_bytes": "heap_inuse", "go_memstats_heap_alloc_bytes": "heap_alloc",
		"go_memstats_next_gc_bytes": "next_gc", "go_memstats_sys_bytes": "go_sys"}
	got := map[string]string{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if k, wanted := want[name]; ok && wanted {
			v, _ := strconv.ParseFloat(value, 64)
			got[k] = mib(int64(v))
		}
	}
	return fmt.Sprintf("heap_inuse=%s heap_alloc=%s next_gc=%s go_sys=%s", got["heap_inuse"], got["heap_alloc"],
		got["next_gc"], got["go_sys"])
}
