// Package config embeds the generated CRDs and webhook configuration, so that the tessera binary
// installs exactly what `make manifests` produced (local mode and tests apply them directly).
package config

import (
	"bufio"
	"bytes"
	"embed"
	"errors"
	"io"
	"io/fs"

	"k8s.io/apimachinery/pkg/util/yaml"
)

// FS holds crd/bases/*.yaml and webhook/manifests.yaml.
//
//go:embed crd/bases/*.yaml webhook/manifests.yaml
var FS embed.FS

// Documents returns the non-empty YAML documents of the embedded files matching pattern.
func Documents(pattern string) ([][]byte, error) {
	files, err := fs.Glob(FS, pattern)
	if err != nil {
		return nil, err
	}
	var docs [][]byte
	for _, f := range files {
		raw, err := FS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		r := yaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(raw)))
		for {
			doc, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, err
			}
			if len(bytes.TrimSpace(bytes.TrimPrefix(bytes.TrimSpace(doc), []byte("---")))) > 0 {
				docs = append(docs, doc)
			}
		}
	}
	return docs, nil
}
