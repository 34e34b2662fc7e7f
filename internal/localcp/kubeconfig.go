package localcp

import (
	"os"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Name is the cluster, user and context name in the kubeconfig.
const Name = "tessera-local"

// adminCredentials are the admin client's PEM data, read once from Dir/pki.
type adminCredentials struct{ ca, cert, key []byte }

func loadAdminCredentials(p pki) (adminCredentials, error) {
	var a adminCredentials
	var err error
	if a.ca, err = os.ReadFile(p.caCert()); err != nil {
		return a, err
	}
	if a.cert, err = os.ReadFile(p.adminCert()); err != nil {
		return a, err
	}
	a.key, err = os.ReadFile(p.adminKey())
	return a, err
}

func (a adminCredentials) restConfig(server string) *rest.Config {
	return &rest.Config{
		Host: server,
		TLSClientConfig: rest.TLSClientConfig{
			CAData:   a.ca,
			CertData: a.cert,
			KeyData:  a.key,
		},
	}
}

// writeKubeconfig embeds the data (rather than pointing at files) so the kubeconfig works from
// any working directory and can be copied elsewhere. clientcmd writes it 0600.
func writeKubeconfig(path, server string, a adminCredentials) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[Name] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: a.ca}
	cfg.AuthInfos[Name] = &clientcmdapi.AuthInfo{ClientCertificateData: a.cert, ClientKeyData: a.key}
	cfg.Contexts[Name] = &clientcmdapi.Context{Cluster: Name, AuthInfo: Name}
	cfg.CurrentContext = Name
	return clientcmd.WriteToFile(*cfg, path)
}
