package integration

import (
	. "github.com/onsi/gomega"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
)

func discoveryFor(cfg *rest.Config) *discovery.DiscoveryClient {
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	Expect(err).NotTo(HaveOccurred())
	return dc
}
