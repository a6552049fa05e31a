package audit

import (
	"encoding/json"
	"fmt"
	"time"
)

// APIVersion and the kinds of this package's objects, as Kubernetes
// names them.
const (
	APIVersion = "audit.k8s.io/v1"
	KindEvent  = "Event"
	KindPolicy = "Policy"
	// HeaderAuditID is the HTTP header a server returns each request's
	// audit ID in (and a client may send one in).
	HeaderAuditID = "Audit-ID"
)

// Event is one stage of one request, in audit.k8s.io/v1's shape: one JSON
// line of the audit log. Its fields are in Kubernetes' order.
type Event struct {
	Kind       string `json:"kind"`
	APIVersion string `json:"apiVersion"`
	Level      Level  `json:"level"`
	// AuditID is the same for every stage of a request and is sent to the
	// client in the Audit-ID header.
	AuditID    string `json:"auditID"`
	Stage      Stage  `json:"stage"`
	RequestURI string `json:"requestURI"`
	// Verb is the authorizer's verb (get, list, watch, create, update,
	// patch, delete, deletecollection) for a resource, the lower-case
	// HTTP method for a non-resource path.
	Verb string   `json:"verb"`
	User UserInfo `json:"user"`
	// ImpersonatedUser is who User acted as (kubectl --as), when anyone.
	ImpersonatedUser *UserInfo       `json:"impersonatedUser,omitempty"`
	SourceIPs        []string        `json:"sourceIPs,omitempty"`
	UserAgent        string          `json:"userAgent,omitempty"`
	ObjectRef        *ObjectRef      `json:"objectRef,omitempty"`
	ResponseStatus   *ResponseStatus `json:"responseStatus,omitempty"`
	// RequestObject is the request's JSON body (level Request and up);
	// ResponseObject the response's (level RequestResponse).
	RequestObject            json.RawMessage   `json:"requestObject,omitempty"`
	ResponseObject           json.RawMessage   `json:"responseObject,omitempty"`
	RequestReceivedTimestamp MicroTime         `json:"requestReceivedTimestamp"`
	StageTimestamp           MicroTime         `json:"stageTimestamp"`
	Annotations              map[string]string `json:"annotations,omitempty"`
}

// UserInfo is a user as an event records it (authentication.k8s.io/v1's
// UserInfo).
type UserInfo struct {
	Username string              `json:"username,omitempty"`
	UID      string              `json:"uid,omitempty"`
	Groups   []string            `json:"groups,omitempty"`
	Extra    map[string][]string `json:"extra,omitempty"`
}

// ObjectRef names what a resource request was about.
type ObjectRef struct {
	Resource        string `json:"resource,omitempty"`
	Namespace       string `json:"namespace,omitempty"`
	Name            string `json:"name,omitempty"`
	UID             string `json:"uid,omitempty"`
	APIGroup        string `json:"apiGroup,omitempty"`
	APIVersion      string `json:"apiVersion,omitempty"`
	ResourceVersion string `json:"resourceVersion,omitempty"`
	Subresource     string `json:"subresource,omitempty"`
}

// ResponseStatus is the answer's status: the code always, and the status,
// reason, message and details when the answer was a Status (a failure, or
// a delete answered with one). It is a meta/v1 Status, so it carries an
// empty metadata as Kubernetes writes it.
type ResponseStatus struct {
	Metadata struct{}        `json:"metadata"`
	Status   string          `json:"status,omitempty"`
	Message  string          `json:"message,omitempty"`
	Reason   string          `json:"reason,omitempty"`
	Details  json.RawMessage `json:"details,omitempty"`
	Code     int             `json:"code,omitempty"`
}

// MicroTime is a time written as RFC 3339 in UTC with microseconds
// (meta/v1 MicroTime): "2026-12-07T18:27:01.123456Z".
type MicroTime struct{ time.Time }

// microLayout is MicroTime's layout.
const microLayout = "2006-01-02T15:04:05.000000Z07:00"

// MarshalJSON writes t in UTC with microseconds; the zero time is null.
func (t MicroTime) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.UTC().Format(microLayout))
}

// UnmarshalJSON reads what MarshalJSON writes (any RFC 3339 time).
func (t *MicroTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a MicroTime is an RFC 3339 string: %w", err)
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("a MicroTime is an RFC 3339 string like %q: %w", microLayout, err)
	}
	t.Time = v
	return nil
}
