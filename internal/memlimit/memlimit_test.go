package memlimit

import "testing"

func TestParseLimit(t *testing.T) {
	for in, want := range map[string]int64{
		"536870912\n":         536870912,
		"max\n":               0,
		"9223372036854771712": 0, // cgroup v1's unlimited
	} {
		if got, err := parseLimit(in); err != nil || got != want {
			t.Errorf("parseLimit(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "lots", "-1", "0"} {
		if _, err := parseLimit(bad); err == nil {
			t.Errorf("parseLimit(%q) accepted", bad)
		}
	}
}

func TestApplyLeavesAnExplicitGOMEMLIMIT(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "300MiB")
	if got := Apply(); got != 0 {
		t.Errorf("Apply() = %d with GOMEMLIMIT set; want 0 (the operator's choice wins)", got)
	}
}
