package portal

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
)

// getImage is GET /content/images/{image}: the logo of the group whose id (the brand's
// logotype) or uuid it names. A caller sees the logos of its subtree and of the groups above
// it, whose brands it may wear.
func (a *API) getImage(w http.ResponseWriter, r *http.Request, c *caller) error {
	g, err := a.groupByRef(r.Context(), r.PathValue("image"))
	if err != nil {
		return errNotFound("image %s does not exist", r.PathValue("image"))
	}
	if !c.inScope(g.Name) && !a.Forest.IsAncestor(g.Name, c.home) {
		return errForbidden("image %s belongs to a group outside the caller's line", r.PathValue("image"))
	}
	data, err := a.logoOf(r.Context(), g)
	if err != nil {
		return err
	}
	serveImage(w, r, data)
	return nil
}

// serveImage answers a PNG with its ETag (a digest of the bytes): 304 when If-None-Match
// names it.
func serveImage(w http.ResponseWriter, r *http.Request, data []byte) {
	sum := sha256.Sum256(data)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "max-age=86400, must-revalidate")
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "image/png")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}

// etagMatches reports whether an If-None-Match header names etag (weakly compared, as RFC
// 9110 has it for If-None-Match) or is "*".
func etagMatches(header, etag string) bool {
	for tag := range strings.SplitSeq(header, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || tag == etag {
			return true
		}
	}
	return false
}
