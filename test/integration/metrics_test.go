package integration

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// scrape reads the REST server's /metrics.
func scrape() map[string]*dto.MetricFamily {
	GinkgoHelper()
	resp, err := http.Get(restURL + "/metrics")
	Expect(err).NotTo(HaveOccurred())
	defer func() { _ = resp.Body.Close() }()
	Expect(resp.StatusCode).To(Equal(http.StatusOK))
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return fams
}

// sample is the sum of the counter or gauge samples of family name whose labels include labels.
func sample(fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	total := 0.0
	for _, m := range fams[name].GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range labels {
			match = match && have[k] == v
		}
		if match {
			total += m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return total
}

// Parts of a PromQL expression that cannot be metric names, and the keywords left after them.
var (
	promqlNoise = []*regexp.Regexp{
		regexp.MustCompile(`"(?:[^"\\]|\\.)*"`), // strings
		regexp.MustCompile(`\{[^}]*\}`),         // label matchers
		regexp.MustCompile(`\[[^\]]*\]`),        // ranges
		regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`), // label lists
		regexp.MustCompile(`\b\d+(?:ms|[smhdwy])\b`),                                          // durations
		regexp.MustCompile(`\b\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\b`),                              // numbers
	}
	promqlIdent    = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*(\s*\()?`)
	promqlKeywords = map[string]bool{"and": true, "or": true, "unless": true, "bool": true, "offset": true,
		"on": true, "by": true, "without": true, "ignoring": true, "group_left": true, "group_right": true}
)

// metricNames lists the metrics a PromQL expression selects.
func metricNames(expr string) []string {
	for _, re := range promqlNoise {
		expr = re.ReplaceAllString(expr, " ")
	}
	var out []string
	for _, m := range promqlIdent.FindAllStringSubmatch(expr, -1) {
		if m[1] == "" && !promqlKeywords[m[0]] { // an identifier before "(" is a function
			out = append(out, m[0])
		}
	}
	return out
}

// expectServed checks that every metric expr selects is among fams (a histogram's series by
// their _bucket, _sum and _count names).
func expectServed(fams map[string]*dto.MetricFamily, where, expr string) {
	GinkgoHelper()
	names := metricNames(expr)
	Expect(names).NotTo(BeEmpty(), "%s: no metric in %q", where, expr)
	for _, name := range names {
		base := name
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if f, ok := fams[strings.TrimSuffix(name, suffix)]; ok && strings.HasSuffix(name, suffix) && f.GetType() == dto.MetricType_HISTOGRAM {
				base = strings.TrimSuffix(name, suffix)
			}
		}
		Expect(fams).To(HaveKey(base), "%s queries %s, which /metrics does not serve", where, name)
	}
}

// dashboardExprs returns every query of a Grafana dashboard, panels in rows included.
func dashboardExprs(panels []any, out map[string]string) {
	for _, p := range panels {
		panel, _ := p.(map[string]any)
		title, _ := panel["title"].(string)
		targets, _ := panel["targets"].([]any)
		for _, t := range targets {
			if expr, ok := t.(map[string]any)["expr"].(string); ok {
				out["panel "+title+" "+t.(map[string]any)["refId"].(string)] = expr
			}
		}
		if inner, ok := panel["panels"].([]any); ok {
			dashboardExprs(inner, out)
		}
	}
}

var _ = Describe("Metrics", Ordered, func() {
	ctx := context.Background()

	It("count sign-ins, Token JWTs and Group locks on the REST /metrics", func() {
		before := scrape()
		moved := func(g Gomega, name string, labels map[string]string, by float64) {
			g.Expect(sample(scrape(), name, labels)-sample(before, name, labels)).To(BeNumerically(">=", by), "%s%v", name, labels)
		}
		ns := groupNamespace(ctx, "metrics")
		login := newLogin("metrics")
		lockedLogin := newLogin("metrics-max")
		for name, l := range map[string]string{"mia": login, "max": lockedLogin} {
			acct := newAccount(ns, name, l)
			Expect(k8s.Create(ctx, acct)).To(Succeed())
			Expect(storePassword(ctx, acct, "Metrics-Pw-1")).To(Succeed())
			expectAccountReady(ctx, ns, name, "True", "PasswordHashStored", 10*time.Second)
		}

		// Sign-ins: ote-stack's endpoint, Luna's HTTP Basic, a wrong password until the lockout.
		oteLogin(login, "Metrics-Pw-1")
		Expect(luna("GET", "/1/accounts", basic(login, "Metrics-Pw-1"), nil).Status).To(Equal(http.StatusOK))
		for range 5 {
			resp, _ := oteCall("POST", "/v1/authorization", nil, map[string]any{"user": login, "password": "wrong"})
			Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
		}
		resp, _ := oteCall("POST", "/v1/authorization", nil, map[string]any{"user": login, "password": "Metrics-Pw-1"})
		Expect(resp.StatusCode).To(Equal(http.StatusTooManyRequests))
		signIn := func(api, flow, result string) map[string]string {
			return map[string]string{"api": api, "flow": flow, "result": result}
		}
		Eventually(func(g Gomega) {
			moved(g, "tessera_signins_total", signIn("ote", "sign_in", "success"), 1)
			moved(g, "tessera_signins_total", signIn("luna", "basic_auth", "success"), 1)
			moved(g, "tessera_signins_total", signIn("ote", "sign_in", "wrong_credentials"), 5)
			moved(g, "tessera_signins_total", signIn("ote", "sign_in", "throttled"), 1)
		}, 5*time.Second, 50*time.Millisecond).Should(Succeed())

		// Token JWTs: issued, renewed after a claims change, revoked on deletion.
		tok := newToken(ns, "mia-ci", "mia")
		Expect(k8s.Create(ctx, tok)).To(Succeed())
		Eventually(func(g Gomega) { moved(g, "tessera_tokens_issued_total", nil, 1) }, 10*time.Second, 50*time.Millisecond).Should(Succeed())
		Expect(update(ctx, tok, func(t *tenancyv1alpha1.Token) { t.Spec.VisibilityArea = tenancyv1alpha1.VisibilityAccount })).To(Succeed())
		Eventually(func(g Gomega) { moved(g, "tessera_tokens_renewed_total", nil, 1) }, 10*time.Second, 50*time.Millisecond).Should(Succeed())
		Expect(k8s.Delete(ctx, tok)).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKeyFromObject(tok), &tenancyv1alpha1.Token{}))).To(BeTrue())
			moved(g, "tessera_tokens_revoked_total", nil, 1)
		}, 10*time.Second, 50*time.Millisecond).Should(Succeed())

		// A lock: the Group counts as locked, and so do the sign-ins of its Accounts.
		setLock(ctx, "metrics", true, "metrics spec")
		DeferCleanup(setLock, ctx, "metrics", false, "")
		Eventually(func(g Gomega) {
			moved(g, "tessera_groups_locked", map[string]string{"lock": "own"}, 1)
			resp, _ := oteCall("POST", "/v1/authorization", nil, map[string]any{"user": lockedLogin, "password": "Metrics-Pw-1"})
			g.Expect(resp.StatusCode).To(Equal(http.StatusLocked))
			moved(g, "tessera_signins_total", signIn("ote", "sign_in", "locked"), 1)
		}, 10*time.Second, 50*time.Millisecond).Should(Succeed())

		after := scrape()
		Expect(sample(after, "tessera_webhook_certificate_expiry_timestamp_seconds", nil)).To(BeNumerically(">", float64(time.Now().Unix())))
		// Reconcile errors come from controller-runtime, one series per controller from the start.
		controllers := []string{}
		for _, m := range after["controller_runtime_reconcile_errors_total"].GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "controller" {
					controllers = append(controllers, l.GetValue())
				}
			}
		}
		Expect(controllers).To(ContainElements("group", "account", "token", "admin"))
		Expect(sample(after, "request_count_total", map[string]string{"path": "POST:/v1/authorization", "status_code": "429"})).To(BeNumerically(">=", 1))
	})

	It("ship a Grafana dashboard and alert rules that query only metrics Tessera serves", func() {
		fams := scrape()
		raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "grafana", "tessera.json"))
		Expect(err).NotTo(HaveOccurred())
		var dash map[string]any
		Expect(json.Unmarshal(raw, &dash)).To(Succeed())
		exprs := map[string]string{}
		dashboardExprs(dash["panels"].([]any), exprs)
		Expect(len(exprs)).To(BeNumerically(">=", 10))

		raw, err = os.ReadFile(filepath.Join("..", "..", "docs", "prometheus", "tessera-rules.yaml"))
		Expect(err).NotTo(HaveOccurred())
		var rules struct {
			Kind string
			Spec struct {
				Groups []struct {
					Rules []struct{ Alert, Expr string }
				}
			}
		}
		Expect(yaml.Unmarshal(raw, &rules)).To(Succeed())
		Expect(rules.Kind).To(Equal("PrometheusRule"))
		for _, g := range rules.Spec.Groups {
			for _, r := range g.Rules {
				exprs["alert "+r.Alert] = r.Expr
			}
		}
		Expect(exprs).To(HaveKey("alert TesseraWebhookCertificateExpiresSoon"))
		for where, expr := range exprs {
			expectServed(fams, where, expr)
		}
		Expect(metricNames(`histogram_quantile(0.99, sum by (le) (rate(a_bucket{x="y"}[5m]))) / on() b unless c offset 5m`)).
			To(Equal([]string{"a_bucket", "b", "c"}), "the PromQL scan itself")
	})
})
