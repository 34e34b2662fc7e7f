# Tessera — kubebuilder-style Makefile. `make help` lists the targets.

IMG ?= tessera:latest
# Where the control-plane binaries, controller-gen, tessera and kubectl-tessera go.
LOCALBIN ?= $(shell pwd)/bin
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen
CONTROLLER_TOOLS_VERSION ?= v0.23.0
KUBECTL ?= $(LOCALBIN)/kubectl
CHART ?= charts/tessera
GOLANGCI_LINT ?= $(LOCALBIN)/golangci-lint
GO ?= go

# Packages whose tests start a control plane (etcd, kube-apiserver): `make test` runs them,
# `make test-unit` does not. So do the tests named in ENVTEST_TESTS, in packages that are
# otherwise unit tests.
ENVTEST_PKGS ?= /internal/localcp$$ /test/
ENVTEST_TESTS ?= ^TestManager$$

.PHONY: all
all: build

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: controller-gen ## Generate CRDs, RBAC and webhook configuration under config/, and copy them into the chart.
	$(CONTROLLER_GEN) rbac:roleName=manager-role crd webhook paths="./..." output:crd:artifacts:config=config/crd/bases
	@# The chart takes config/'s CRDs, roles and webhook configurations as they are; test/chart checks the rest.
	rm -f $(CHART)/crds/*.yaml $(CHART)/files/rbac/*.yaml $(CHART)/files/webhook/*.yaml
	cp config/crd/bases/*.yaml $(CHART)/crds/
	cp config/rbac/role.yaml config/rbac/leader_election_role.yaml config/rbac/*_editor_role.yaml config/rbac/*_viewer_role.yaml $(CHART)/files/rbac/
	cp config/webhook/manifests.yaml $(CHART)/files/webhook/

.PHONY: generate
generate: controller-gen ## Generate DeepCopy methods.
	$(CONTROLLER_GEN) object:headerFile="hack/boilerplate.go.txt" paths="./..."

.PHONY: fmt
fmt: ## Run go fmt.
	$(GO) fmt ./...

.PHONY: vet
vet: ## Run go vet.
	$(GO) vet ./...

.PHONY: control-plane
control-plane: ## Build etcd, kube-apiserver and kubectl from pinned modules into bin/ (cached).
	hack/build-control-plane.sh $(LOCALBIN)

.PHONY: helm
helm: ## Build helm from its pinned module into bin/ (cached), for the chart and its tests.
	hack/build-helm.sh $(LOCALBIN)

.PHONY: lint
lint: golangci-lint ## Run golangci-lint (linters and formatters of .golangci.yml).
	$(GOLANGCI_LINT) run

.PHONY: lint-fix
lint-fix: golangci-lint ## Run golangci-lint and apply the fixes it can make.
	$(GOLANGCI_LINT) run --fix

.PHONY: lint-config
lint-config: golangci-lint ## Verify .golangci.yml against golangci-lint's schema.
	$(GOLANGCI_LINT) config verify

.PHONY: test
test: manifests generate fmt vet control-plane helm ## Run unit tests and the envtest suites on the real control plane.
	TESSERA_ASSETS=$(LOCALBIN) $(GO) test ./... -count=1 -timeout 30m

.PHONY: test-unit
test-unit: ## Run the tests that need no control plane (fast; `make test` runs everything).
	$(GO) test $$($(GO) list ./... | grep -v $(foreach p,$(ENVTEST_PKGS),-e '$(p)')) -skip '$(ENVTEST_TESTS)'

.PHONY: bench
bench: ## Run docs/benchmarks.md's micro-benchmarks, and its load runs when a local Tessera (make run) is up.
	hack/bench.sh

.PHONY: check-generated
check-generated: manifests generate ## Fail when committed generated files are stale.
	@git diff --exit-code -- api config $(CHART) || { echo "generated files are stale: run 'make generate manifests' and commit"; exit 1; }
	@test -z "$$(git status --porcelain -- api config $(CHART))" || { git status --porcelain -- api config $(CHART); echo "generated files are missing: run 'make generate manifests' and commit"; exit 1; }

##@ Build

.PHONY: build
build: generate fmt vet ## Build the tessera binary and the kubectl plugin kubectl-tessera into bin/.
	CGO_ENABLED=0 $(GO) build -o $(LOCALBIN)/tessera ./cmd/tessera
	CGO_ENABLED=0 $(GO) build -o $(LOCALBIN)/kubectl-tessera ./cmd/kubectl-tessera

.PHONY: run
run: build control-plane ## Run Tessera locally on its embedded control plane (data in .tessera/).
	$(LOCALBIN)/tessera local

.PHONY: docker-build
docker-build: ## Build the container image.
	docker build -t $(IMG) .

##@ Deployment

.PHONY: install
install: manifests control-plane ## Install the CRDs into the cluster of the current kubeconfig.
	$(KUBECTL) apply --server-side -k config/crd

.PHONY: uninstall
uninstall: manifests control-plane ## Remove the CRDs (and every Tessera object) from the cluster.
	$(KUBECTL) delete --ignore-not-found -k config/crd

.PHONY: deploy
deploy: manifests control-plane ## Deploy the operator with image $(IMG) to the cluster of the current kubeconfig.
	$(KUBECTL) kustomize config/default | sed 's|image: tessera:latest|image: $(IMG)|' | $(KUBECTL) apply --server-side -f -

.PHONY: undeploy
undeploy: control-plane ## Remove the operator from the cluster.
	$(KUBECTL) delete --ignore-not-found -k config/default

##@ Dependencies

.PHONY: golangci-lint
golangci-lint: ## Build golangci-lint from its pinned module into bin/ (cached).
	hack/build-golangci-lint.sh $(LOCALBIN)

.PHONY: controller-gen
controller-gen: $(CONTROLLER_GEN) ## Install controller-gen into bin/.
$(CONTROLLER_GEN):
	GOBIN=$(LOCALBIN) $(GO) install sigs.k8s.io/controller-tools/cmd/controller-gen@$(CONTROLLER_TOOLS_VERSION)
