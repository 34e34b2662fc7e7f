package rest

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/verify"
)

// sentinels are the errors that say what they are by identity; their messages are written for
// the client (package verify's say what a user may know), unless message replaces them.
var sentinels = []struct {
	err     error
	kind    Kind
	retry   time.Duration
	message string
}{
	{verify.ErrWrongPassword, KindWrongCredentials, 0, ""},
	{verify.ErrInvalid, KindInvalidCredentials, 0, ""},
	{ErrBadAuthorization, KindInvalidCredentials, 0, ""},
	{verify.ErrTokenGone, KindRevoked, 0, ""},
	{verify.ErrSessionRevoked, KindRevoked, 0, ""},
	{verify.ErrAlreadySpent, KindRevoked, 0, ""},
	{verify.ErrExpired, KindExpired, 0, ""},
	{verify.ErrAccountGone, KindAccountGone, 0, ""},
	{verify.ErrDisabled, KindDisabled, 0, ""},
	{verify.ErrNotApproved, KindNotApproved, 0, ""},
	{verify.ErrLocked, KindLocked, 0, ""},
	{verify.ErrUnavailable, KindUnavailable, time.Second, ""},
	{verify.ErrRevocationListFull, KindUnavailable, time.Minute, ""},
	{ErrNotJSON, KindUnsupportedMedia, 0, ""},
	{ErrEmptyBody, KindNoBody, 0, ""},
	// The write happened: the client should retry its reads, not the write. Its wrapping names
	// the object, so the client gets the sentinel's words only.
	{credential.ErrNotVisible, KindUnavailable, time.Second, "the change was made but this server does not show it yet; retry in a moment"},
}

// Classify maps an error to a Problem: a *Problem as it is; verification errors (package
// verify), *ThrottledError, ErrBadAuthorization and the errors of DecodeJSON by type; API-server
// errors by their status and causes — Tessera's admission causes (api/v1alpha1 Cause*) and
// Kubernetes' field causes — never by message text. Anything else is KindInternal, whose
// Message is InternalMessage.
func Classify(err error) Problem {
	var p *Problem
	var th *ThrottledError
	var de *DecodeError
	var st apierrors.APIStatus
	switch {
	case errors.As(err, &p):
		return *p
	case errors.As(err, &th):
		return Problem{Kind: KindThrottled, Message: th.Reason, RetryAfter: th.RetryAfter, Err: err}
	case errors.As(err, &de):
		return Problem{Kind: KindInvalid, Message: de.Message, Field: de.Path, Fields: nonEmpty(de.Path), Err: err}
	}
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			return Problem{Kind: s.kind, Message: cmp.Or(s.message, err.Error()), RetryAfter: s.retry, Err: err}
		}
	}
	switch {
	case errors.As(err, &st):
		return classifyStatus(err, st.Status())
	case errors.Is(err, context.DeadlineExceeded):
		return Problem{Kind: KindTimeout, Message: "the request timed out", Err: err}
	case errors.Is(err, context.Canceled):
		return Problem{Kind: KindUnavailable, Message: "the request was canceled", RetryAfter: time.Second, Err: err}
	}
	return Problem{Kind: KindInternal, Message: InternalMessage, Err: err}
}

// classifyStatus reads an API-server error: a refusal of Tessera's admission by its cause,
// the API server's own by its status. Messages are the causes', which name the client's
// fields and values; the status message (object names, the webhook's name) is never shown.
func classifyStatus(err error, st metav1.Status) Problem {
	var causes []metav1.StatusCause
	if st.Details != nil {
		causes = st.Details.Causes
	}
	p := Problem{Err: err}
	ours, hasOurs := tesseraCause(causes)
	if hasOurs {
		p.Reason, p.Message, p.Field, p.Fields = string(ours.Type), ours.Message, ours.Field, nonEmpty(ours.Field)
	}
	dups, dupMessages := duplicates(causes)
	switch {
	case hasOurs && ours.Type == tenancyv1alpha1.CauseLocked:
		p.Kind = KindLocked
	case len(dups) > 0:
		p.Kind, p.Field, p.Fields, p.Message = KindConflict, dups[0], dups, strings.Join(dupMessages, "; ")
	case hasOurs && st.Code == 403:
		p.Kind = KindForbidden
	case hasOurs:
		p.Kind = KindInvalid
	case apierrors.IsNotFound(err):
		p.Kind, p.Message = KindNotFound, "the object does not exist"
	case apierrors.IsAlreadyExists(err):
		p.Kind, p.Message, p.Field, p.Fields = KindConflict, "an object of that name exists already", "metadata.name", []string{"metadata.name"}
	case apierrors.IsConflict(err):
		p.Kind, p.Message = KindConflict, "the object was changed at the same time; retry"
	case apierrors.IsInvalid(err):
		p.Kind, p.Message = KindInvalid, "the object is invalid"
		for _, c := range causes {
			if c.Field != "" && p.Field == "" {
				p.Field, p.Message = c.Field, c.Message
			}
			if c.Field != "" && !slices.Contains(p.Fields, c.Field) {
				p.Fields = append(p.Fields, c.Field)
			}
		}
	case apierrors.IsForbidden(err):
		p.Kind, p.Message = KindForbidden, "the API server refused the request"
	case apierrors.IsTimeout(err), apierrors.IsServerTimeout(err):
		p.Kind, p.Message = KindTimeout, "the API server did not answer in time"
	case apierrors.IsServiceUnavailable(err), apierrors.IsTooManyRequests(err):
		p.Kind, p.Message, p.RetryAfter = KindUnavailable, "the API server is busy; retry shortly", time.Second
		if s, ok := apierrors.SuggestsClientDelay(err); ok && s > 0 {
			p.RetryAfter = time.Duration(s) * time.Second
		}
	default:
		p.Kind, p.Message = KindInternal, InternalMessage
	}
	return p
}

// tesseraCause returns the first of Tessera's admission causes.
func tesseraCause(causes []metav1.StatusCause) (metav1.StatusCause, bool) {
	for _, c := range causes {
		switch c.Type {
		case tenancyv1alpha1.CauseLocked, tenancyv1alpha1.CauseDuplicate, tenancyv1alpha1.CauseTreeRule,
			tenancyv1alpha1.CauseParentMissing, tenancyv1alpha1.CauseNotInGroup:
			return c, true
		}
	}
	return metav1.StatusCause{}, false
}

// duplicates returns the fields whose values another object holds, once each, and their
// causes' messages.
func duplicates(causes []metav1.StatusCause) (fields, messages []string) {
	for _, c := range causes {
		if (c.Type == metav1.CauseTypeFieldValueDuplicate || c.Type == tenancyv1alpha1.CauseDuplicate) &&
			c.Field != "" && !slices.Contains(fields, c.Field) {
			fields, messages = append(fields, c.Field), append(messages, c.Message)
		}
	}
	return fields, messages
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
