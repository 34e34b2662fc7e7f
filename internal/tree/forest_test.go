package tree

import (
	"slices"
	"strings"
	"testing"
)

func build(t *testing.T, nodes ...Node) *Forest {
	t.Helper()
	f := &Forest{}
	for _, n := range nodes {
		f.Set(n)
	}
	return f
}

func TestInfoPathDepthChildren(t *testing.T) {
	f := build(t,
		Node{Name: "root"},
		Node{Name: "partner", Parent: "root", Kind: 10},
		Node{Name: "acme", Parent: "partner", Kind: 40},
		Node{Name: "globex", Parent: "partner", Kind: 40},
	)
	info, ok := f.Info("acme")
	if !ok || !slices.Equal(info.Path, []string{"root", "partner"}) || info.Depth != 2 || info.Problem != "" {
		t.Fatalf("Info(acme) = %+v, %v", info, ok)
	}
	if p, _ := f.Info("partner"); p.Children != 2 {
		t.Fatalf("partner has %d children, want 2", p.Children)
	}
	if got := f.Descendants("root"); !slices.Equal(got, []string{"partner", "acme", "globex"}) {
		t.Fatalf("Descendants(root) = %v", got)
	}
	if !f.IsAncestor("partner", "acme") || f.IsAncestor("acme", "partner") || !f.IsAncestor("acme", "acme") {
		t.Fatal("IsAncestor is wrong")
	}
}

func TestNearestLockWins(t *testing.T) {
	f := build(t,
		Node{Name: "root"},
		Node{Name: "partner", Parent: "root", Locked: true, LockReason: "unpaid"},
		Node{Name: "acme", Parent: "partner"},
		Node{Name: "dept", Parent: "acme"},
	)
	if info, _ := f.Info("dept"); info.LockedBy != "partner" || info.LockReason != "unpaid" {
		t.Fatalf("dept LockedBy = %q (%q), want partner", info.LockedBy, info.LockReason)
	}
	if by, reason, ok := f.Lock("dept"); !ok || by != "partner" || reason != "unpaid" {
		t.Fatalf("Lock(dept) = %q, %q, %v; want partner, unpaid", by, reason, ok)
	}
	if _, _, ok := f.Lock("nobody"); ok {
		t.Fatal("Lock of an unknown Group reports ok")
	}
	affected := f.Set(Node{Name: "acme", Parent: "partner", Locked: true})
	if !slices.Contains(affected, "dept") {
		t.Fatalf("locking acme affects %v, want dept among them", affected)
	}
	if info, _ := f.Info("dept"); info.LockedBy != "acme" {
		t.Fatalf("dept LockedBy = %q, want the nearest lock acme", info.LockedBy)
	}
	f.Set(Node{Name: "partner", Parent: "root"})
	f.Set(Node{Name: "acme", Parent: "partner"})
	if info, _ := f.Info("dept"); info.LockedBy != "" {
		t.Fatalf("dept still locked by %q after unlocking", info.LockedBy)
	}
	if by, _, _ := f.Lock("dept"); by != "" {
		t.Fatalf("Lock(dept) = %q after unlocking", by)
	}
}

func TestCycleAndOrphanAreReported(t *testing.T) {
	f := build(t, Node{Name: "a", Parent: "b"}, Node{Name: "b", Parent: "a"}, Node{Name: "c", Parent: "ghost"})
	if info, _ := f.Info("a"); !strings.HasPrefix(info.Problem, "cycle: a → b → a") {
		t.Fatalf("Info(a).Problem = %q", info.Problem)
	}
	if info, _ := f.Info("c"); info.Problem != "parent Group ghost does not exist" {
		t.Fatalf("Info(c).Problem = %q", info.Problem)
	}
	if by, _, ok := f.Lock("a"); !ok || by != "" {
		t.Fatalf("Lock on a cycle = %q, %v; want termination and no lock", by, ok)
	}
	if d := f.Descendants("a"); !slices.Equal(d, []string{"b"}) {
		t.Fatalf("Descendants on a cycle = %v, want [b] and termination", d)
	}
}

func TestMoveAndRemove(t *testing.T) {
	f := build(t, Node{Name: "root"}, Node{Name: "p1", Parent: "root"}, Node{Name: "p2", Parent: "root"},
		Node{Name: "acme", Parent: "p1"}, Node{Name: "dept", Parent: "acme"})
	affected := f.Set(Node{Name: "acme", Parent: "p2"})
	for _, want := range []string{"acme", "p1", "p2", "dept"} {
		if !slices.Contains(affected, want) {
			t.Errorf("moving acme: %s not among affected %v", want, affected)
		}
	}
	if info, _ := f.Info("dept"); !slices.Equal(info.Path, []string{"root", "p2", "acme"}) {
		t.Fatalf("dept path after move = %v", info.Path)
	}
	if len(f.Children("p1")) != 0 {
		t.Fatal("p1 still lists acme")
	}
	affected = f.Remove("acme")
	if !slices.Equal(affected, []string{"p2", "dept"}) {
		t.Fatalf("Remove(acme) affected %v", affected)
	}
	if info, _ := f.Info("dept"); info.Problem == "" {
		t.Fatal("dept should be an orphan once acme is gone")
	}
}

func TestChildKindRules(t *testing.T) {
	cases := []struct {
		parent int32
		depth  int
		child  int32
		want   bool
	}{
		// The root's grade-0 entry replaces "any": kind 0 directly under the root, 21 not.
		{0, 0, 10, true}, {0, 0, 21, false}, {0, 0, 0, true}, {0, 0, 40, true}, {0, 0, 50, false},
		{0, 1, 21, true}, {0, 1, 0, false}, {0, 1, 40, true},
		{10, 1, 20, true}, {10, 1, 31, false}, {21, 1, 31, true}, {21, 1, 40, false},
		{31, 2, 31, true}, {40, 2, 50, true}, {40, 2, 40, false}, {50, 3, 50, true}, {50, 3, 40, false},
		{40, 1, KindServiceUser, false}, {99, 1, 40, false},
	}
	for _, c := range cases {
		if got := ChildAllowed(c.parent, c.depth, c.child); got != c.want {
			t.Errorf("ChildAllowed(%d at depth %d, %d) = %v, want %v", c.parent, c.depth, c.child, got, c.want)
		}
	}
	if got := AllowedChildKinds(40, 1); !slices.Equal(got, []int32{50}) {
		t.Errorf("AllowedChildKinds(40) = %v; service users are no Group kind", got)
	}
	if !slices.Equal(Creation["40"][AnyGrade], []int32{50, KindServiceUser}) {
		t.Error("AllowedChildKinds changed the rules table")
	}
	for kind, want := range map[int32]bool{40: true, 50: true, 30: false, 0: false} {
		if ServiceUsersAllowed(kind, 1) != want {
			t.Errorf("ServiceUsersAllowed(%d) != %v", kind, want)
		}
	}
}

func TestKindChangeRules(t *testing.T) {
	cases := []struct {
		from  int32
		grade int
		to    int32
		want  bool
	}{
		{30, 1, 10, true}, {30, 2, 20, true}, {30, 3, 20, true}, {30, 3, 10, false}, {30, 4, 20, false},
		{40, 1, 50, false}, {10, 1, 30, false}, {40, 2, 40, true},
	}
	for _, c := range cases {
		if got := KindChangeAllowed(c.from, c.grade, c.to); got != c.want {
			t.Errorf("KindChangeAllowed(%d at grade %d → %d) = %v, want %v", c.from, c.grade, c.to, got, c.want)
		}
	}
}

// TestWalkVisitsTheSubtreeOnce checks Walk: the node and every descendant once, nothing
// outside, and an early stop.
func TestWalkVisitsTheSubtreeOnce(t *testing.T) {
	f := &Forest{}
	for _, n := range []Node{{Name: "root"}, {Name: "p", Parent: "root"}, {Name: "a", Parent: "p"}, {Name: "b", Parent: "p"},
		{Name: "a1", Parent: "a"}, {Name: "q", Parent: "root"}, {Name: "x", Parent: "y"}, {Name: "y", Parent: "x"}} {
		f.Set(n)
	}
	walk := func(name string, stopAfter int) []string {
		var out []string
		f.Walk(name, func(n Node) bool { out = append(out, n.Name); return len(out) < stopAfter })
		slices.Sort(out)
		return out
	}
	if got := walk("p", 100); !slices.Equal(got, []string{"a", "a1", "b", "p"}) {
		t.Errorf("Walk(p) = %v", got)
	}
	if got := walk("x", 100); !slices.Equal(got, []string{"x", "y"}) {
		t.Errorf("Walk(x) on a cycle = %v", got)
	}
	if got := walk("root", 2); len(got) != 2 {
		t.Errorf("Walk stopped after %d, want 2", len(got))
	}
	if got := walk("nope", 100); len(got) != 0 {
		t.Errorf("Walk of an unknown Group = %v", got)
	}
}
