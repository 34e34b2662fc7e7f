package localcp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// pki names the files under Dir/pki. They are created once and reused, so the kubeconfig and
// any client that trusted the CA keep working across restarts.
type pki struct{ dir string }

func (p pki) path(name string) string { return filepath.Join(p.dir, name) }

func (p pki) caCert() string       { return p.path("ca.crt") }
func (p pki) caKey() string        { return p.path("ca.key") }
func (p pki) servingCert() string  { return p.path("apiserver.crt") }
func (p pki) servingKey() string   { return p.path("apiserver.key") }
func (p pki) adminCert() string    { return p.path("admin.crt") }
func (p pki) adminKey() string     { return p.path("admin.key") }
func (p pki) saPublicKey() string  { return p.path("sa.pub") }
func (p pki) saPrivateKey() string { return p.path("sa.key") }
func (p pki) leafFiles() [][]string {
	return [][]string{{p.servingCert(), p.servingKey()}, {p.adminCert(), p.adminKey()}}
}

const (
	certValidity = 10 * 365 * 24 * time.Hour
	// A leaf this close to expiry is reissued at start rather than failing a week later.
	renewBefore = 30 * 24 * time.Hour
	adminCN     = "tessera-admin"
	serviceIP   = "10.0.0.1" // first address of --service-cluster-ip-range
)

// ensure creates whatever is missing. A new CA invalidates every leaf, so all are reissued.
func (p pki) ensure() error {
	if err := os.MkdirAll(p.dir, 0o700); err != nil {
		return err
	}
	caCert, caKey, err := loadPair(p.caCert(), p.caKey())
	if err != nil || time.Until(caCert.NotAfter) < renewBefore {
		if caCert, caKey, err = p.newCA(); err != nil {
			return err
		}
		for _, f := range p.leafFiles() {
			_ = os.Remove(f[0])
		}
	}
	if err := p.ensureLeaf(p.servingCert(), p.servingKey(), caCert, caKey, servingTemplate); err != nil {
		return err
	}
	if err := p.ensureLeaf(p.adminCert(), p.adminKey(), caCert, caKey, adminTemplate); err != nil {
		return err
	}
	return p.ensureSAKey()
}

func (p pki) newCA() (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := baseTemplate("tessera-local-ca")
	tmpl.IsCA = true
	tmpl.BasicConstraintsValid = true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, nil, err
	}
	if err := writePair(p.caCert(), p.caKey(), der, key); err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

func servingTemplate() *x509.Certificate {
	t := baseTemplate("kube-apiserver")
	t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	t.DNSNames = []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"}
	t.IPAddresses = []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP(serviceIP)}
	return t
}

// adminTemplate: O=system:masters is what makes this client a superuser under RBAC.
func adminTemplate() *x509.Certificate {
	t := baseTemplate(adminCN)
	t.Subject.Organization = []string{"system:masters"}
	t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	return t
}

func baseTemplate(cn string) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    now.Add(-time.Hour), // tolerate small clock skew
		NotAfter:     now.Add(certValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
}

func (p pki) ensureLeaf(certPath, keyPath string, ca *x509.Certificate, caKey *ecdsa.PrivateKey, tmpl func() *x509.Certificate) error {
	if cert, _, err := loadPair(certPath, keyPath); err == nil && time.Until(cert.NotAfter) > renewBefore && cert.CheckSignatureFrom(ca) == nil {
		return nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl(), ca, key.Public(), caKey)
	if err != nil {
		return err
	}
	return writePair(certPath, keyPath, der, key)
}

// ensureSAKey keeps the service-account signing key forever: replacing it would invalidate
// every service-account token already issued.
func (p pki) ensureSAKey() error {
	if _, err := os.Stat(p.saPrivateKey()); err == nil {
		if _, err := os.Stat(p.saPublicKey()); err == nil {
			return nil
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	pub, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return err
	}
	if err := writeKey(p.saPrivateKey(), key); err != nil {
		return err
	}
	return writeFileAtomic(p.saPublicKey(), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o644)
}

func loadPair(certPath, keyPath string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return nil, nil, err
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, nil, err
	}
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, nil, errors.New("invalid PEM")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, nil, err
	}
	key, err := x509.ParseECPrivateKey(kb.Bytes)
	if err != nil {
		return nil, nil, err
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		return nil, nil, fmt.Errorf("%s does not match %s", keyPath, certPath)
	}
	return cert, key, nil
}

func writePair(certPath, keyPath string, der []byte, key *ecdsa.PrivateKey) error {
	if err := writeKey(keyPath, key); err != nil {
		return err
	}
	return writeFileAtomic(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

func writeKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600)
}

// writeFileAtomic renames a complete temp file into place, so a crash mid-write never leaves
// a truncated key that would wedge every later start.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	// Removing fails harmlessly after the rename; on the error paths below, the error returned
	// is the first one, not Close's.
	defer func() { _ = os.Remove(tmp.Name()) }()
	if err := tmp.Chmod(mode); err != nil {
		_ = tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
