package integration

import (
	"context"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/http"
	netmail "net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/people"
)

// flowAccount creates, as any client would, an Account with login and e-mail in the group with
// portal id group: with password when given (else none, as an administrator creates one to be
// activated), pending approval when pending, and an Admin grant of access when it is not 0.
func flowAccount(group int64, login, email, password string, access tenancyv1alpha1.AccessType, pending bool) *tenancyv1alpha1.Account {
	GinkgoHelper()
	ctx := context.Background()
	g := groupCR(group)
	Expect(g).NotTo(BeNil())
	acct := newAccount(tenancyv1alpha1.GroupNamespace(g.Name), people.PersonAccountName(login), login)
	acct.Spec.Profile = tenancyv1alpha1.AccountProfile{FirstName: "Flow", LastName: "Tester", Email: email}
	if pending {
		acct.Spec.Approval = tenancyv1alpha1.ApprovalPending
	}
	if password != "" {
		Eventually(func() error { return people.CreatePerson(ctx, k8s, acct, password) }, 20*time.Second, 100*time.Millisecond).
			Should(Succeed())
	} else {
		Eventually(func() error { return k8s.Create(ctx, acct) }, 20*time.Second, 100*time.Millisecond).Should(Succeed())
	}
	if access != 0 {
		_, err := people.GrantAdmin(ctx, k8s, acct, access)
		Expect(err).NotTo(HaveOccurred())
	}
	return acct
}

// visible waits until the REST server's cache shows the account: GET /actions/mail/reset
// names it (as the root administrator, who may ask for anyone).
func visible(login string) {
	GinkgoHelper()
	Eventually(func() int {
		return portalCall("GET", "/actions/mail/reset?login="+url.QueryEscape(login), asAdmin, nil).Status
	}, 20*time.Second, 100*time.Millisecond).Should(Equal(http.StatusOK))
}

// sentMail is one e-mail of the outbox, as a mail client reads it.
type sentMail struct {
	header        netmail.Header
	subject, body string
	// action and token are those of the link in the body ("" when it has none).
	action, token string
}

var linkPattern = regexp.MustCompile(`/api/1/actions/(\w+)\?token=(\S+)`)

// mailsTo returns the outbox's e-mails to address, oldest first.
func mailsTo(address string) []sentMail {
	GinkgoHelper()
	entries, err := os.ReadDir(outboxDir)
	if os.IsNotExist(err) {
		return nil
	}
	Expect(err).NotTo(HaveOccurred())
	var out []sentMail
	for _, e := range entries { // named by time: oldest first
		if !strings.HasSuffix(e.Name(), ".eml") {
			continue
		}
		f, err := os.Open(filepath.Join(outboxDir, e.Name()))
		Expect(err).NotTo(HaveOccurred())
		msg, err := netmail.ReadMessage(f)
		Expect(err).NotTo(HaveOccurred(), "%s is not an RFC 5322 message", e.Name())
		to, err := msg.Header.AddressList("To")
		Expect(err).NotTo(HaveOccurred())
		if !slices.ContainsFunc(to, func(a *netmail.Address) bool { return strings.EqualFold(a.Address, address) }) {
			_ = f.Close()
			continue
		}
		Expect(msg.Header.Get("Content-Transfer-Encoding")).To(Equal("quoted-printable"))
		raw, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
		_ = f.Close()
		Expect(err).NotTo(HaveOccurred())
		subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		Expect(err).NotTo(HaveOccurred())
		m := sentMail{header: msg.Header, subject: subject, body: string(raw)}
		if link := linkPattern.FindStringSubmatch(m.body); link != nil {
			m.action = link[1]
			m.token, err = url.QueryUnescape(link[2])
			Expect(err).NotTo(HaveOccurred())
		}
		out = append(out, m)
	}
	return out
}

// lastMailTo is the newest e-mail to address; there must be one.
func lastMailTo(address string) sentMail {
	GinkgoHelper()
	mails := mailsTo(address)
	Expect(mails).NotTo(BeEmpty(), "no e-mail to %s in %s", address, outboxDir)
	return mails[len(mails)-1]
}

// expectAppError checks the seed's ApplicationAccountServer body of status: its code and
// message; it returns details.info.
func expectAppError(r lunaResp, status int) string {
	GinkgoHelper()
	want := map[int]struct {
		code    any
		message string
	}{400: {1000.0, "bad request"}, 401: {1000.0, "unauthorized"}, 403: {1002.0, "access denied"},
		404: {1104.0, "could not resolve target tenant"}, 415: {"invalid_content_type", "Content must be JSON"}}[status]
	Expect(r.Status).To(Equal(status), "body %s", r.Raw)
	Expect(r.Body).To(HaveKey("error"), "body %s", r.Raw)
	e := r.Body["error"].(map[string]any)
	Expect(e).To(HaveKeyWithValue("domain", "ApplicationAccountServer"), "body %s", r.Raw)
	Expect(e).To(HaveKeyWithValue("code", want.code), "body %s", r.Raw)
	Expect(e).To(HaveKeyWithValue("message", want.message), "body %s", r.Raw)
	Expect(e).To(HaveKeyWithValue("context", BeEmpty()))
	info, _ := e["details"].(map[string]any)["info"].(string)
	Expect(info).NotTo(BeEmpty())
	return info
}

// signsIn reports the status of GET /groups/{group} as login:password: 200 when it signs in
// (an administrator of the group), 401 when the password is wrong.
func signsIn(group int64, login, password string) int {
	GinkgoHelper()
	return portalCall("GET", fmt.Sprintf("/groups/%d", group), basic(login, password), nil).Status
}

// tokenAt returns ?token= of path with tok.
func tokenAt(path, tok string) string { return path + "?token=" + url.QueryEscape(tok) }

// flows is what each spec of the account flows starts from: a unique suffix and a company of
// its own under the root.
type flows struct {
	u       string
	company int64
}

// newFlows makes a fresh company before each spec of the container it is called in.
func newFlows() *flows {
	f := &flows{}
	BeforeEach(func() {
		f.u = oteUniq()
		f.company = createGroup(asAdmin, rootID(), "Flows "+f.u, 40)
	})
	return f
}

// addr is an e-mail address unique to the spec.
func (f *flows) addr(who string) string { return fmt.Sprintf("%s-%s@flows.example", who, f.u) }
