package rest

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// RequestIDHeader carries the request id in and out (Luna's name; every API echoes it).
const RequestIDHeader = "Luna-Request-Id"

// requestIDPattern is Luna's documented format: "<unix seconds>,<uuid>".
var requestIDPattern = regexp.MustCompile(`^[0-9]{10},[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$`)

type requestIDKey struct{}

// WithRequestID accepts a well-formed Luna-Request-Id, generates one otherwise, stores it in the
// request context and echoes it on the response.
func WithRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(RequestIDHeader)
		if !requestIDPattern.MatchString(id) {
			id = strconv.FormatInt(time.Now().Unix(), 10) + "," + uuid.NewString()
		}
		w.Header().Set(RequestIDHeader, id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// RequestID returns the request id stored by WithRequestID.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
