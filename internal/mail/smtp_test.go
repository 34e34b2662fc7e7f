package mail

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

type mimeDecoder struct{ mime.WordDecoder }

func (d *mimeDecoder) header(t *testing.T, s string) string {
	t.Helper()
	out, err := d.DecodeHeader(s)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (d *mimeDecoder) body(t *testing.T, s string) string {
	t.Helper()
	out, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(s)))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// smtpServer is a minimal SMTP server on 127.0.0.1 speaking the protocol for real (EHLO,
// STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, QUIT), which records what it received.
type smtpServer struct {
	ln       net.Listener
	tls      *tls.Config // offers STARTTLS, or wraps every connection when implicit
	implicit bool
	user     string
	password string
	mute     bool // accept and never answer

	mu    sync.Mutex
	auths []string // the PLAIN credentials received, decoded
	rcpts []string
	data  []string
}

func startSMTP(t *testing.T, s *smtpServer) (host string, port int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.ln = ln
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(conn)
		}
	}()
	return "127.0.0.1", ln.Addr().(*net.TCPAddr).Port
}

func (s *smtpServer) serve(conn net.Conn) {
	defer func() { _ = conn.Close() }()
	if s.mute {
		_, _ = io.Copy(io.Discard, conn)
		return
	}
	if s.implicit {
		conn = tls.Server(conn, s.tls)
	}
	r, w := bufio.NewReader(conn), conn
	say := func(line string) { _, _ = io.WriteString(w, line+"\r\n") }
	say("220 test ESMTP")
	secure := s.implicit
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.Fields(cmd + " x")[0])
		switch verb {
		case "EHLO", "HELO":
			say("250-test")
			if s.tls != nil && !secure {
				say("250-STARTTLS")
			}
			say("250 AUTH PLAIN")
		case "STARTTLS":
			say("220 go ahead")
			tc := tls.Server(conn, s.tls)
			if tc.Handshake() != nil {
				return
			}
			conn, secure = tc, true
			r, w = bufio.NewReader(tc), tc
		case "AUTH":
			parts := strings.Fields(cmd)
			raw, _ := base64.StdEncoding.DecodeString(parts[len(parts)-1])
			cred := strings.Split(string(raw), "\x00")
			s.mu.Lock()
			s.auths = append(s.auths, strings.Join(cred, ":"))
			s.mu.Unlock()
			if len(cred) == 3 && cred[1] == s.user && cred[2] == s.password {
				say("235 ok")
			} else {
				say("535 5.7.8 authentication failed")
			}
		case "MAIL":
			say("250 ok")
		case "RCPT":
			s.mu.Lock()
			s.rcpts = append(s.rcpts, cmd)
			s.mu.Unlock()
			say("250 ok")
		case "DATA":
			say("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			s.mu.Lock()
			s.data = append(s.data, b.String())
			s.mu.Unlock()
			say("250 queued")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("502 unknown")
		}
	}
}

// selfSigned is a certificate for 127.0.0.1 and the pool that trusts it.
func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}

func TestSMTPDeliversWithEachTLSMode(t *testing.T) {
	serverTLS, pool := selfSigned(t)
	for _, mode := range []TLSMode{TLSNone, TLSStartTLS, TLSImplicit} {
		t.Run(string(mode), func(t *testing.T) {
			srv := &smtpServer{user: "mailer", password: "pw-" + string(mode), implicit: mode == TLSImplicit}
			if mode != TLSNone {
				srv.tls = serverTLS
			}
			host, port := startSMTP(t, srv)
			s := &SMTP{Config: SMTPConfig{Host: host, Port: port, User: "mailer", Password: "pw-" + string(mode), TLS: mode, RootCAs: pool}}
			if err := s.Send(context.Background(), testMessage()); err != nil {
				t.Fatal(err)
			}
			srv.mu.Lock()
			defer srv.mu.Unlock()
			if len(srv.data) != 1 || len(srv.rcpts) != 1 || !strings.Contains(srv.rcpts[0], "<j@example.com>") {
				t.Fatalf("received %v %v", srv.rcpts, srv.data)
			}
			msg, body := parse(t, []byte(srv.data[0]))
			if !strings.Contains(body, "token=3Dabc=3Ddef") || msg.Header.Get("Content-Type") == "" {
				t.Errorf("the message arrived changed:\n%s", srv.data[0])
			}
		})
	}
}

func TestSMTPFailuresNeverShowThePassword(t *testing.T) {
	srv := &smtpServer{user: "mailer", password: "right"}
	host, port := startSMTP(t, srv)
	s := &SMTP{Config: SMTPConfig{Host: host, Port: port, User: "mailer", Password: "wrong-Secret-42"}}
	err := s.Send(context.Background(), testMessage())
	if !errors.Is(err, ErrDelivery) || !strings.Contains(err.Error(), "535") {
		t.Fatalf("%v, want the server's 535", err)
	}
	if strings.Contains(err.Error(), "wrong-Secret-42") {
		t.Errorf("the error shows the password: %v", err)
	}

	// A server without STARTTLS is refused before the password is sent in the clear.
	plain := &smtpServer{user: "mailer", password: "pw"}
	host, port = startSMTP(t, plain)
	s = &SMTP{Config: SMTPConfig{Host: host, Port: port, User: "mailer", Password: "pw", TLS: TLSStartTLS}}
	if err := s.Send(context.Background(), testMessage()); !errors.Is(err, ErrDelivery) || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("%v, want STARTTLS refused", err)
	}
	plain.mu.Lock()
	defer plain.mu.Unlock()
	if len(plain.auths) != 0 {
		t.Errorf("credentials were sent without TLS: %v", plain.auths)
	}
}

func TestSMTPIsBounded(t *testing.T) {
	srv := &smtpServer{mute: true}
	host, port := startSMTP(t, srv)
	s := &SMTP{Config: SMTPConfig{Host: host, Port: port}, Timeout: 200 * time.Millisecond}
	err := s.Send(context.Background(), testMessage())
	if !errors.Is(err, ErrDelivery) || !strings.Contains(err.Error(), "did not finish within") {
		t.Fatalf("%v, want a bounded failure", err)
	}

	// So is a server that is not there.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().(*net.TCPAddr)
	_ = ln.Close()
	s = &SMTP{Config: SMTPConfig{Host: "127.0.0.1", Port: addr.Port}}
	if err := s.Send(context.Background(), testMessage()); !errors.Is(err, ErrDelivery) ||
		!strings.Contains(err.Error(), "127.0.0.1:"+strconv.Itoa(addr.Port)) {
		t.Errorf("%v, want a connection failure naming the server", err)
	}
}
