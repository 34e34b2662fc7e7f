package portal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// A group's logo is a PNG in a Secret of its namespace named after the logo's digest, under
// the key logoKey, which spec.portal.branding.logoSecretRef names: every new logo moves the
// group's version, and the Secret of the previous one goes.
const (
	logoKey          = "logo.png"
	logoSecretPrefix = "portal-logo-"
	// maxLogoBytes bounds a logo; a Secret holds at most 1 MiB.
	maxLogoBytes = 512 << 10
	// maxLogoSide bounds a logo's width and height in pixels.
	maxLogoSide = 4096
)

// pngEnd is the IEND chunk every complete PNG ends with.
var pngEnd = []byte{0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82}

// getLogo is GET /groups/{group}/logo: the group's own logo (404 while it has none).
func (a *API) getLogo(w http.ResponseWriter, r *http.Request, c *caller) error {
	g, err := a.groupParam(r, c)
	if err != nil {
		return err
	}
	data, err := a.logoOf(r.Context(), g)
	if err != nil {
		return err
	}
	serveImage(w, r, data)
	return nil
}

// logoOf is g's logo, or 404.
func (a *API) logoOf(ctx context.Context, g *tenancyv1alpha1.Group) ([]byte, error) {
	ref := g.Spec.Portal.Branding.LogoSecretRef
	if ref == nil {
		return nil, errNotFound("group %d has no logo", g.Spec.ID)
	}
	data, err := a.secretData(ctx, g, ref.Name)
	if errors.Is(err, errNoSecret) || err == nil && len(data[logoKey]) == 0 {
		return nil, errNotFound("the logo of group %d is missing: Secret %s has no key %s", g.Spec.ID, ref.Name, logoKey)
	}
	return data[logoKey], err
}

// postLogo is POST /groups/{group}/logo?version=: the body is the PNG (image/png, or the
// first file of a multipart/form-data body); anything else is refused (400).
func (a *API) postLogo(w http.ResponseWriter, r *http.Request, c *caller) error {
	ctx := r.Context()
	g, err := a.groupParam(r, c)
	if err != nil {
		return err
	}
	data, err := readLogo(r)
	if err != nil {
		return err
	}
	if err := a.mayWriteAt(r, c, g); err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	name := logoSecretPrefix + hex.EncodeToString(sum[:8])
	old := g.Spec.Portal.Branding.LogoSecretRef
	if err := a.putSecret(ctx, g, name, map[string][]byte{logoKey: data}); err != nil {
		return err
	}
	next, err := a.changeGroup(ctx, g.Name, func(next *tenancyv1alpha1.Group) error {
		if err := checkVersion(r, next.Generation); err != nil {
			return err
		}
		next.Spec.Portal.Branding.LogoSecretRef = &tenancyv1alpha1.LocalObjectReference{Name: name}
		return nil
	})
	switch {
	case err != nil && (old == nil || old.Name != name):
		_ = a.deleteSecret(ctx, g, name) // the refused logo's Secret goes; the group keeps its own
		return err
	case err != nil:
		return err
	case old != nil && old.Name != name && strings.HasPrefix(old.Name, logoSecretPrefix):
		if err := a.deleteSecret(ctx, g, old.Name); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, versionView{next.Generation})
	return nil
}

// readLogo reads and checks the uploaded PNG.
func readLogo(r *http.Request) ([]byte, error) {
	var src io.Reader = r.Body
	if mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		part, err := filePart(multipart.NewReader(r.Body, params["boundary"]))
		if err != nil {
			return nil, err
		}
		src = part
	}
	data, err := io.ReadAll(io.LimitReader(src, maxLogoBytes+1))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge) || len(data) > maxLogoBytes:
		return nil, newErr(http.StatusRequestEntityTooLarge, "a logo may have at most %d bytes", maxLogoBytes)
	case err != nil:
		return nil, errBadRequest("the body could not be read: %v", err)
	case len(data) == 0:
		return nil, errBadRequest("the body holds no image: send the PNG as image/png")
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil || !bytes.HasSuffix(data, pngEnd) {
		return nil, errBadRequest("a logo must be a complete PNG image")
	}
	if cfg.Width > maxLogoSide || cfg.Height > maxLogoSide {
		return nil, errBadRequest("a logo may be at most %d×%d pixels, not %d×%d", maxLogoSide, maxLogoSide, cfg.Width, cfg.Height)
	}
	return data, nil
}

// filePart is the first file of a multipart/form-data body.
func filePart(mr *multipart.Reader) (*multipart.Part, error) {
	for range 16 {
		part, err := mr.NextPart()
		if err != nil {
			return nil, errBadRequest("the multipart body holds no file")
		}
		if part.FileName() != "" {
			return part, nil
		}
	}
	return nil, errBadRequest("the multipart body holds no file among its first parts")
}
