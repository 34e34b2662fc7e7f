package controllers

import (
	"strings"
	"testing"

	"github.com/go-logr/logr/funcr"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// A controller without For still logs each reconcile as For's would: the controller, its kind,
// and the object under its kind's name, so that a search for a Token's lines still finds them.
func TestKindLogsNameTheReconciledObjectByItsKind(t *testing.T) {
	var line string
	base := funcr.New(func(prefix, args string) { line = args }, funcr.Options{})
	logs := kindLogs(base, "token", tenancyv1alpha1.GroupVersion.WithKind("Token"))
	logs(&reconcile.Request{NamespacedName: types.NamespacedName{Namespace: "tessera-acme", Name: "ci"}}).Info("reconciled")
	for _, want := range []string{`"controller"="token"`, `"controllerGroup"="tenancy.tessera.dev"`, `"controllerKind"="Token"`,
		`"Token"={"name"="ci" "namespace"="tessera-acme"}`, `"namespace"="tessera-acme"`, `"name"="ci"`} {
		if !strings.Contains(line, want) {
			t.Errorf("the reconcile's line %s lacks %s", line, want)
		}
	}
	logs(nil).Info("started")
	if strings.Contains(line, `"Token"=`) || !strings.Contains(line, `"controllerKind"="Token"`) {
		t.Errorf("the controller's own line %s: want its kind, and no object", line)
	}
}
