package api

import (
	"errors"
	"fmt"
)

// Status is the API's answer when there is no object to return: every
// error, and some successful deletes. Reason and Code follow Kubernetes, so
// tools that know Kubernetes' errors understand tinykube's.
type Status struct {
	TypeMeta `json:",inline"`
	ListMeta `json:"metadata"`
	Status   string         `json:"status,omitempty"` // "Success" or "Failure"
	Message  string         `json:"message,omitempty"`
	Reason   StatusReason   `json:"reason,omitempty"`
	Details  *StatusDetails `json:"details,omitempty"`
	Code     int32          `json:"code,omitempty"`
}

// StatusDetails names the object an error is about and, for invalid
// objects, each field that was wrong.
type StatusDetails struct {
	Name              string        `json:"name,omitempty"`
	Group             string        `json:"group,omitempty"`
	Kind              string        `json:"kind,omitempty"`
	UID               string        `json:"uid,omitempty"`
	Causes            []StatusCause `json:"causes,omitempty"`
	RetryAfterSeconds int32         `json:"retryAfterSeconds,omitempty"`
}

// StatusCause is one reason an operation failed, with the field it is about.
type StatusCause struct {
	Type    string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	Field   string `json:"field,omitempty"`
}

// StatusReason is the machine-readable why of a failure.
type StatusReason string

// The reasons tinykube uses, with the HTTP code each goes with.
const (
	ReasonBadRequest            StatusReason = "BadRequest"            // 400
	ReasonUnauthorized          StatusReason = "Unauthorized"          // 401
	ReasonForbidden             StatusReason = "Forbidden"             // 403
	ReasonNotFound              StatusReason = "NotFound"              // 404
	ReasonMethodNotAllowed      StatusReason = "MethodNotAllowed"      // 405
	ReasonNotAcceptable         StatusReason = "NotAcceptable"         // 406
	ReasonAlreadyExists         StatusReason = "AlreadyExists"         // 409
	ReasonConflict              StatusReason = "Conflict"              // 409
	ReasonGone                  StatusReason = "Gone"                  // 410
	ReasonExpired               StatusReason = "Expired"               // 410
	ReasonRequestEntityTooLarge StatusReason = "RequestEntityTooLarge" // 413
	ReasonUnsupportedMediaType  StatusReason = "UnsupportedMediaType"  // 415
	ReasonInvalid               StatusReason = "Invalid"               // 422
	ReasonTooManyRequests       StatusReason = "TooManyRequests"       // 429
	ReasonInternalError         StatusReason = "InternalError"         // 500
	ReasonServiceUnavailable    StatusReason = "ServiceUnavailable"    // 503
	ReasonTimeout               StatusReason = "Timeout"               // 504
)

// StatusError is a failed Status carried as a Go error, on both sides of
// the wire: the API server returns it, and the client decodes it back.
type StatusError struct{ Status Status }

func (e *StatusError) Error() string { return e.Status.Message }

// NewStatusError builds a failure with the given code, reason and message.
func NewStatusError(code int32, reason StatusReason, details *StatusDetails, format string, args ...any) *StatusError {
	return &StatusError{Status: Status{
		TypeMeta: TypeMeta{APIVersion: "v1", Kind: "Status"},
		Status:   "Failure",
		Message:  fmt.Sprintf(format, args...),
		Reason:   reason,
		Details:  details,
		Code:     code,
	}}
}

// ReasonOf returns the Status reason of err, or "" when err is not a
// StatusError.
func ReasonOf(err error) StatusReason {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status.Reason
	}
	return ""
}

// IsNotFound reports whether err says the object does not exist.
func IsNotFound(err error) bool { return ReasonOf(err) == ReasonNotFound }

// IsAlreadyExists reports whether err says a create found the name taken.
func IsAlreadyExists(err error) bool { return ReasonOf(err) == ReasonAlreadyExists }

// IsConflict reports whether err says the object changed since it was read.
func IsConflict(err error) bool { return ReasonOf(err) == ReasonConflict }

// IsInvalid reports whether err says the object failed validation.
func IsInvalid(err error) bool { return ReasonOf(err) == ReasonInvalid }

// IsExpired reports whether err says a resourceVersion or continue token is
// too old (the history was compacted): relist and watch again.
func IsExpired(err error) bool {
	r := ReasonOf(err)
	return r == ReasonExpired || r == ReasonGone
}
