package integration

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	lua "github.com/yuin/gopher-lua"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// argoDir holds the Argo CD health scripts, one per kind as in Argo CD's resource_customizations.
var argoDir = filepath.Join("..", "..", "docs", "argocd")

var healthKinds = []string{"Group", "Account", "Token", "Admin"}

// health is what GitOps tools make of an object: kstatus (Flux) and Argo CD's health script.
type health struct {
	Kstatus status.Status
	Argo    string
	Message string // the Argo CD script's message
}

// asUnstructured converts a typed Tessera object for an unstructured create or update, so that
// the API server's answer comes back as it stores it (with schema defaults).
func asUnstructured(obj client.Object) *unstructured.Unstructured {
	GinkgoHelper()
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	Expect(err).NotTo(HaveOccurred())
	u := &unstructured.Unstructured{Object: m}
	gvks, _, err := k8s.Scheme().ObjectKinds(obj)
	Expect(err).NotTo(HaveOccurred())
	u.SetGroupVersionKind(gvks[0])
	return u
}

// readBack reads obj from the API server, not a cache, as an unstructured object.
func readBack(ctx context.Context, obj client.Object) *unstructured.Unstructured {
	GinkgoHelper()
	u := asUnstructured(obj)
	Expect(k8s.Get(ctx, client.ObjectKeyFromObject(obj), u)).To(Succeed())
	return u
}

// healthOf runs kstatus and the kind's Argo CD script on u.
func healthOf(u *unstructured.Unstructured) health {
	GinkgoHelper()
	res, err := status.Compute(u)
	Expect(err).NotTo(HaveOccurred())
	argo, msg := argoHealth(u)
	return health{Kstatus: res.Status, Argo: argo, Message: msg}
}

// expectHealth waits until obj, read back from the API server, has the given health.
func expectHealth(ctx context.Context, obj client.Object, want status.Status, argo string) health {
	GinkgoHelper()
	var h health
	Eventually(func(g Gomega) {
		h = healthOf(readBack(ctx, obj))
		g.Expect(h.Kstatus).To(Equal(want), "Argo CD: %s (%s)", h.Argo, h.Message)
		g.Expect(h.Argo).To(Equal(argo), "message %q", h.Message)
	}, 20*time.Second, 50*time.Millisecond).Should(Succeed())
	return h
}

// argoHealth runs the kind's health.lua the way Argo CD runs a configured script: the object as
// the global obj, only the base and table libraries open, and hs.status/hs.message returned.
func argoHealth(u *unstructured.Unstructured) (string, string) {
	GinkgoHelper()
	script, err := os.ReadFile(filepath.Join(argoDir, tenancyv1alpha1.GroupVersion.Group, u.GetKind(), "health.lua"))
	Expect(err).NotTo(HaveOccurred())
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	for name, open := range map[string]lua.LGFunction{lua.BaseLibName: lua.OpenBase, lua.TabLibName: lua.OpenTable} {
		Expect(L.CallByParam(lua.P{Fn: L.NewFunction(open), Protect: true}, lua.LString(name))).To(Succeed())
	}
	L.SetGlobal("obj", luaValue(L, u.Object))
	Expect(L.DoString(string(script))).To(Succeed())
	hs, ok := L.Get(-1).(*lua.LTable)
	Expect(ok).To(BeTrue(), "health.lua must return a table")
	st := hs.RawGetString("status").String()
	Expect(st).To(BeElementOf("Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"))
	return st, hs.RawGetString("message").String()
}

// luaValue converts decoded JSON to Lua values as Argo CD does: objects and arrays to tables,
// numbers to Lua numbers.
func luaValue(L *lua.LState, v any) lua.LValue {
	switch x := v.(type) {
	case map[string]any:
		t := L.CreateTable(0, len(x))
		for k, item := range x {
			t.RawSetString(k, luaValue(L, item))
		}
		return t
	case []any:
		t := L.CreateTable(len(x), 0)
		for _, item := range x {
			t.Append(luaValue(L, item))
		}
		return t
	case string:
		return lua.LString(x)
	case bool:
		return lua.LBool(x)
	case int64:
		return lua.LNumber(x)
	case float64:
		return lua.LNumber(x)
	case json.Number:
		return lua.LString(x)
	}
	return lua.LNil
}

// argoConfigMap is docs/argocd/argocd-cm.yaml as generated from the health script.
func argoConfigMap(script string) string {
	var b strings.Builder
	b.WriteString("# Argo CD health checks for Tessera's kinds, generated from docs/argocd/health.lua\n" +
		"# (TESSERA_UPDATE_DOCS=1 go test ./test/integration/ -ginkgo.focus=argocd-cm rewrites it).\n" +
		"# Merge the data keys into your argocd-cm ConfigMap.\n" +
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cm\n  namespace: argocd\n" +
		"  labels:\n    app.kubernetes.io/name: argocd-cm\n    app.kubernetes.io/part-of: argocd\ndata:\n")
	for _, kind := range healthKinds {
		b.WriteString("  resource.customizations.health." + tenancyv1alpha1.GroupVersion.Group + "_" + kind + ": |\n")
		for line := range strings.SplitSeq(strings.TrimRight(script, "\n"), "\n") {
			if line != "" {
				line = "    " + line
			}
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// expectGenerated checks that path holds want, after writing it when TESSERA_UPDATE_DOCS=1.
func expectGenerated(path, want string) {
	GinkgoHelper()
	if os.Getenv("TESSERA_UPDATE_DOCS") == "1" {
		Expect(os.MkdirAll(filepath.Dir(path), 0o755)).To(Succeed())
		Expect(os.WriteFile(path, []byte(want), 0o644)).To(Succeed())
	}
	got, err := os.ReadFile(path)
	Expect(err).NotTo(HaveOccurred())
	Expect(string(got)).To(Equal(want), "%s is generated from docs/argocd/health.lua: regenerate it with TESSERA_UPDATE_DOCS=1", path)
}

var _ = Describe("GitOps health", Ordered, func() {
	ctx := context.Background()
	var ns string
	var grp *tenancyv1alpha1.Group
	var acct *tenancyv1alpha1.Account
	var tok *tenancyv1alpha1.Token
	var adm *tenancyv1alpha1.Admin

	BeforeAll(func() {
		ns = groupNamespace(ctx, "health")
		grp = &tenancyv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: "health"}}
		Expect(k8s.Create(ctx, passwordSecret(ns, "hal-password", "password", "Hal-9000-pw"))).To(Succeed())
		acct = newAccount(ns, "hal", newLogin("hal"))
		acct.Spec.PasswordSecretRef = &tenancyv1alpha1.PasswordSecretReference{Name: "hal-password"}
		Expect(k8s.Create(ctx, acct)).To(Succeed())
		tok = newToken(ns, "hal-ci", "hal")
		Expect(k8s.Create(ctx, tok)).To(Succeed())
		adm = newAdmin(ns, "hal-admin", "hal", tenancyv1alpha1.AccessFull)
		Expect(k8s.Create(ctx, adm)).To(Succeed())
	})

	It("reports settled objects of every kind as Current and Healthy", func() {
		for _, obj := range []client.Object{grp, acct, tok, adm} {
			h := expectHealth(ctx, obj, status.CurrentStatus, "Healthy")
			Expect(h.Message).NotTo(BeEmpty())
		}
	})

	It("reports an object no controller has seen yet, and a changed spec, as InProgress", func() {
		// The API server's answer to a create is the object before any controller saw it: its
		// status defaults to observedGeneration -1.
		fresh := asUnstructured(newToken(ns, "hal-fresh", "hal"))
		Expect(k8s.Create(ctx, fresh)).To(Succeed())
		Expect(fresh.Object).To(HaveKeyWithValue("status", HaveKeyWithValue("observedGeneration", BeEquivalentTo(-1))))
		h := healthOf(fresh)
		Expect(h.Kstatus).To(Equal(status.InProgressStatus))
		Expect(h.Argo).To(Equal("Progressing"))
		expectHealth(ctx, &tenancyv1alpha1.Token{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "hal-fresh"}},
			status.CurrentStatus, "Healthy")

		// The answer to an update that changes the spec has a generation status has not caught up with.
		changed := readBack(ctx, acct)
		Expect(unstructured.SetNestedField(changed.Object, "changed by the health spec", "spec", "description")).To(Succeed())
		Expect(k8s.Update(ctx, changed)).To(Succeed())
		h = healthOf(changed)
		Expect(h.Kstatus).To(Equal(status.InProgressStatus))
		Expect(h.Argo).To(Equal("Progressing"))
		Expect(h.Message).To(ContainSubstring("has not observed generation"))
		expectHealth(ctx, acct, status.CurrentStatus, "Healthy")
	})

	It("reports a locked subtree as Current for kstatus and Suspended for Argo CD", func() {
		setLock(ctx, "health", true, "audit")
		DeferCleanup(func() {
			setLock(ctx, "health", false, "")
			expectHealth(ctx, grp, status.CurrentStatus, "Healthy") // admission follows the same tree
		})
		for _, obj := range []client.Object{grp, acct, tok, adm} {
			h := expectHealth(ctx, obj, status.CurrentStatus, "Suspended")
			Expect(h.Message).To(Equal("locked by Group health: audit"))
		}
	})

	It("reports a disabled Account as Suspended for Argo CD", func() {
		Expect(update(ctx, acct, func(a *tenancyv1alpha1.Account) { a.Spec.Disabled = true })).To(Succeed())
		DeferCleanup(func() {
			Expect(update(ctx, acct, func(a *tenancyv1alpha1.Account) { a.Spec.Disabled = false })).To(Succeed())
		})
		h := expectHealth(ctx, acct, status.CurrentStatus, "Suspended")
		Expect(h.Message).To(ContainSubstring("disabled"))
	})

	It("reports an Account whose password Secret is missing as Failed and Degraded", func() {
		a := newAccount(ns, "nopw", newLogin("nopw"))
		a.Spec.PasswordSecretRef = &tenancyv1alpha1.PasswordSecretReference{Name: "not-there"}
		Expect(k8s.Create(ctx, a)).To(Succeed())
		h := expectHealth(ctx, a, status.FailedStatus, "Degraded")
		Expect(h.Message).To(HavePrefix("PasswordSecretMissing: "))

		// The missing input arriving heals it: Failed is not final.
		Expect(k8s.Create(ctx, passwordSecret(ns, "not-there", "password", "Arrived-Late-1"))).To(Succeed())
		expectHealth(ctx, a, status.CurrentStatus, "Healthy")
	})

	It("reports a Group with a tree problem as Failed and Degraded", func() {
		withoutGroupAdmission(ctx, func() {
			Expect(k8s.Create(ctx, newGroup("health-orphan", "health-nowhere"))).To(Succeed())
		})
		h := expectHealth(ctx, &tenancyv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: "health-orphan"}},
			status.FailedStatus, "Degraded")
		Expect(h.Message).To(ContainSubstring("TreeProblem: the Group is halted: parent Group health-nowhere does not exist"))
	})

	It("reports an expired Token as Failed and Degraded", func() {
		t := newToken(ns, "hal-brief", "hal")
		t.Spec.ExpirationTime = &metav1.Time{Time: time.Now().Add(2 * time.Second)}
		Expect(k8s.Create(ctx, t)).To(Succeed())
		h := expectHealth(ctx, t, status.FailedStatus, "Degraded")
		Expect(h.Message).To(HavePrefix("Expired: "))
	})

	It("ships one health script per kind and an argocd-cm snippet, all copies of health.lua", func() {
		script, err := os.ReadFile(filepath.Join(argoDir, "health.lua"))
		Expect(err).NotTo(HaveOccurred())
		for _, kind := range healthKinds {
			expectGenerated(filepath.Join(argoDir, tenancyv1alpha1.GroupVersion.Group, kind, "health.lua"), string(script))
		}
		path := filepath.Join(argoDir, "argocd-cm.yaml")
		expectGenerated(path, argoConfigMap(string(script)))
		raw, err := os.ReadFile(path)
		Expect(err).NotTo(HaveOccurred())
		cm := &corev1.ConfigMap{}
		Expect(yaml.Unmarshal(raw, cm)).To(Succeed())
		Expect(cm.Data).To(HaveLen(len(healthKinds)))
	})
})
