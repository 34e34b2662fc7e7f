package integration

import (
	"bufio"
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// createsAdmittedBy is how many creates the API server has sent to the admission webhook name,
// from its apiserver_admission_webhook_admission_duration_seconds_count.
func createsAdmittedBy(name string) int {
	GinkgoHelper()
	hc, err := rest.HTTPClientFor(cfg)
	Expect(err).NotTo(HaveOccurred())
	resp, err := hc.Get(strings.TrimSuffix(cfg.Host, "/") + "/metrics")
	Expect(err).NotTo(HaveOccurred())
	defer func() { _ = resp.Body.Close() }()
	Expect(resp.StatusCode).To(Equal(http.StatusOK))
	total := 0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "apiserver_admission_webhook_admission_duration_seconds_count{") ||
			!strings.Contains(line, `name="`+name+`"`) || !strings.Contains(line, `operation="CREATE"`) {
			continue
		}
		n, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		Expect(err).NotTo(HaveOccurred())
		total += int(n)
	}
	Expect(sc.Err()).NotTo(HaveOccurred())
	return total
}

var _ = Describe("Token admission", func() {
	ctx := context.Background()

	It("admits a Token whose tokenID it generates in one webhook call, and a client-chosen tokenID in two", func() {
		ns := groupNamespace(ctx, "tok-admission")
		Expect(k8s.Create(ctx, newAccount(ns, "owner", "owner@tok-admission.example"))).To(Succeed())
		mutating, validating := createsAdmittedBy("mtoken.tessera.dev"), createsAdmittedBy("vtoken.tessera.dev")

		Expect(k8s.Create(ctx, newToken(ns, "generated", "owner"))).To(Succeed())
		Expect(createsAdmittedBy("mtoken.tessera.dev")).To(Equal(mutating + 1))
		Expect(createsAdmittedBy("vtoken.tessera.dev")).To(Equal(validating), "the validating webhook was called")

		chosen := newToken(ns, "chosen", "owner")
		chosen.Spec.TokenID = uuid.NewString()
		Expect(k8s.Create(ctx, chosen)).To(Succeed())
		Expect(createsAdmittedBy("mtoken.tessera.dev")).To(Equal(mutating + 2))
		Expect(createsAdmittedBy("vtoken.tessera.dev")).To(Equal(validating + 1))
	})

	It("refuses a Token outside a Group's namespace with 403 Forbidden, its tokenID generated or chosen", func() {
		Expect(k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "plain-tokens"}})).To(Succeed())
		chosen := newToken("plain-tokens", "chosen", "nobody")
		chosen.Spec.TokenID = uuid.NewString()
		for _, tok := range []*tenancyv1alpha1.Token{newToken("plain-tokens", "generated", "nobody"), chosen} {
			err := k8s.Create(ctx, tok)
			Expect(apierrors.IsForbidden(err)).To(BeTrue(), "%s: %v", tok.Name, err)
			Expect(err).To(MatchError(ContainSubstring("namespace plain-tokens belongs to no Tessera Group")))
		}
	})
})
