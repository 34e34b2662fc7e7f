# Tessera's container image: `make docker-build IMG=...`, then `make deploy IMG=...`.
# Build stage: a static binary from the module (no cgo).
FROM golang:1.26 AS builder
ARG TARGETOS
ARG TARGETARCH

WORKDIR /workspace
# Dependencies first, so that source changes do not invalidate the module cache layer.
COPY go.mod go.mod
COPY go.sum go.sum
RUN go mod download

# Every package the binary imports (go list -deps ./cmd/tessera). config/ is Go source too:
# package github.com/tessera-dev/tessera/config embeds crd/bases/*.yaml and
# webhook/manifests.yaml, which the binary installs.
COPY api/ api/
COPY cmd/ cmd/
COPY config/ config/
COPY controllers/ controllers/
COPY internal/ internal/
COPY webhook/ webhook/

# TARGETARCH is set by BuildKit (docker buildx --platform ...); empty means the builder's own.
RUN CGO_ENABLED=0 GOOS=${TARGETOS:-linux} GOARCH=${TARGETARCH} \
    go build -trimpath -ldflags="-s -w" -o tessera ./cmd/tessera

# Run stage: distroless, no shell, non-root.
FROM gcr.io/distroless/static:nonroot
WORKDIR /
COPY --from=builder /workspace/tessera /tessera
USER 65532:65532

ENTRYPOINT ["/tessera"]
