package v1alpha1

import (
	"os"
	"strings"
	"testing"
)

// readyTrue are the reasons of Ready=True, which the README's troubleshooting table leaves out.
var readyTrue = map[string]bool{ReasonReconciled: true, ReasonPasswordHashStored: true, ReasonIssued: true, ReasonGranted: true}

// TestReadyReasonsDocumented keeps the README's troubleshooting table and AllConditions together:
// every Ready=False reason a kind reports has a row naming that kind.
func TestReadyReasonsDocumented(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{} // reason -> the kinds column
	for line := range strings.SplitSeq(string(readme), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) > 3 {
			rows[strings.Trim(strings.TrimSpace(cells[2]), "`")] = cells[1]
		}
	}
	for kind, conds := range AllConditions {
		for _, c := range conds {
			if c.Type != ConditionReady {
				continue
			}
			for _, r := range c.Reasons {
				if !readyTrue[r] && !strings.Contains(rows[r], kind) {
					t.Errorf("README's troubleshooting table has no row for %s's Ready reason %s", kind, r)
				}
			}
		}
	}
}
