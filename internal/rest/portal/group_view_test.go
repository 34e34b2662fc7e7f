package portal

import (
	"encoding/json"
	"testing"
)

// TestGroupPrivilegesAnswerAsTheirMap checks that a group's privileges, built as a struct for
// speed, encode to the same bytes as the map of every key they stand for: set values, defaults
// and the nested local_backup.
func TestGroupPrivilegesAnswerAsTheirMap(t *testing.T) {
	p := privileges{Values: map[string]int64{"quota_vms_hard": 7}, LocalBackup: map[string]int64{keyVisible: 0}}
	want := map[string]any{}
	for k, d := range privilegeDefaults {
		want[k] = d
	}
	want["quota_vms_hard"] = int64(7)
	want[localBackupKey] = map[string]int64{keyVisible: 0, keyPermitted: 1}
	got, err := json.Marshal(p.view())
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := json.Marshal(want); string(got) != string(w) {
		t.Errorf("privileges answer\n%s\nnot\n%s", got, w)
	}
}

// TestGroupUsageCountsServiceUsers checks the usage object: service_users as counted, every
// other count and size 0, each key once.
func TestGroupUsageCountsServiceUsers(t *testing.T) {
	raw, err := json.Marshal(groupUsage.of(func(k string) int64 {
		if k == serviceUsersKey {
			return 3
		}
		return 0
	}))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]int64
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(usageKeys)+1 || got[serviceUsersKey] != 3 || got["vm_count"] != 0 {
		t.Errorf("usage %s", raw)
	}
}
