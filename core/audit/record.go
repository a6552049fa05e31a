package audit

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"time"

	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/rest"
)

// Request is what the edge knows of a request when it starts recording
// it.
type Request struct {
	AuditID  string
	Received time.Time
	// URI is the path and query as sent ("/api/v1/namespaces/a/pods?dryRun=All").
	URI       string
	UserAgent string
	SourceIPs []string
	// Attributes are the request's as the authorizer sees them
	// (authorizer.AttributesFor), with the authenticated user.
	Attributes authorizer.Attributes
}

// maxUserAgent bounds the user agent an event keeps, as Kubernetes does.
const maxUserAgent = 1024

// NewEvent starts the event of a request recorded at level (Metadata or
// more): who, what, and when; the stage and its time are set by At. Its
// objectRef names the resource, namespace and name the path names; what
// only the body tells (a created object's name, its uid) is added by
// SetRequestObject and SetResponse.
func NewEvent(level Level, r Request) *Event {
	a := r.Attributes
	ua := r.UserAgent
	if len(ua) > maxUserAgent {
		ua = ua[:maxUserAgent] + "...TRUNCATED"
	}
	ev := &Event{
		Kind: KindEvent, APIVersion: APIVersion, Level: level, AuditID: r.AuditID,
		RequestURI: r.URI, Verb: a.Verb, User: userInfo(a.User),
		SourceIPs: slices.Clone(r.SourceIPs), UserAgent: ua,
		RequestReceivedTimestamp: MicroTime{r.Received},
	}
	if a.ResourceRequest {
		ev.ObjectRef = &ObjectRef{Resource: a.Resource, Namespace: a.Namespace, Name: a.Name,
			APIGroup: a.APIGroup, APIVersion: a.APIVersion, Subresource: a.Subresource}
	}
	return ev
}

// userInfo is u as an event records it ({} for nobody).
func userInfo(u *rest.UserInfo) UserInfo {
	if u == nil {
		return UserInfo{}
	}
	return UserInfo{Username: u.Name, UID: u.UID, Groups: slices.Clone(u.Groups), Extra: maps.Clone(u.Extra)}
}

// SetImpersonated records that the request acted as u.
func (e *Event) SetImpersonated(u *rest.UserInfo) {
	if u == nil {
		return
	}
	info := userInfo(u)
	e.ImpersonatedUser = &info
}

// Annotate adds annotations to e; a key already there keeps its value.
func (e *Event) Annotate(annotations map[string]string) {
	for k, v := range annotations {
		if _, ok := e.Annotations[k]; ok {
			continue
		}
		if e.Annotations == nil {
			e.Annotations = map[string]string{}
		}
		e.Annotations[k] = v
	}
}

// SetRequestObject records a request's body: at level Request and up, and
// only when it is JSON (a protobuf or YAML body is left out rather than
// written as something that is not JSON). Either way a body that names
// its object fills the objectRef's missing name, namespace and uid (a
// create's object is named by its body only). omitManagedFields drops
// metadata.managedFields from the recorded copy.
func (e *Event) SetRequestObject(body []byte, omitManagedFields bool) {
	if len(body) == 0 || !json.Valid(body) {
		return
	}
	e.fillObjectRef(body)
	if !e.Level.AtLeast(LevelRequest) {
		return
	}
	e.RequestObject = compact(body, omitManagedFields)
}

// SetResponse records the answer: its code always; the status, reason,
// message and details when the body is a Status; the body itself at level
// RequestResponse when it is JSON. As in Kubernetes, only the request's
// body fills in the objectRef, never the response's.
func (e *Event) SetResponse(code int, body []byte, omitManagedFields bool) {
	e.ResponseStatus = &ResponseStatus{Code: code}
	if len(body) == 0 || !json.Valid(body) {
		return
	}
	var st struct {
		Kind    string          `json:"kind"`
		Status  string          `json:"status"`
		Message string          `json:"message"`
		Reason  string          `json:"reason"`
		Details json.RawMessage `json:"details"`
	}
	if json.Unmarshal(body, &st) == nil && st.Kind == "Status" {
		e.ResponseStatus.Status, e.ResponseStatus.Message, e.ResponseStatus.Reason = st.Status, st.Message, st.Reason
		if len(st.Details) > 0 && string(st.Details) != "null" {
			e.ResponseStatus.Details = st.Details
		}
	}
	if e.Level.AtLeast(LevelRequestResponse) {
		e.ResponseObject = compact(body, omitManagedFields)
	}
}

// fillObjectRef sets the objectRef's name, namespace, uid and
// resourceVersion from an object's metadata where they are not set yet.
func (e *Event) fillObjectRef(body []byte) {
	if e.ObjectRef == nil {
		return
	}
	var obj struct {
		Metadata struct {
			Name, Namespace, UID, ResourceVersion string
		} `json:"metadata"`
	}
	if json.Unmarshal(body, &obj) != nil {
		return
	}
	m, ref := obj.Metadata, e.ObjectRef
	set := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	set(&ref.Name, m.Name)
	set(&ref.Namespace, m.Namespace)
	set(&ref.UID, m.UID)
	set(&ref.ResourceVersion, m.ResourceVersion)
}

// At returns a copy of e written at stage s, time t. The copy shares
// nothing mutable that e will change later: annotations are copied.
func (e *Event) At(s Stage, t time.Time) *Event {
	c := *e
	c.Stage, c.StageTimestamp = s, MicroTime{t}
	c.Annotations = maps.Clone(e.Annotations)
	if e.ResponseStatus != nil {
		st := *e.ResponseStatus
		c.ResponseStatus = &st
	}
	return &c
}

// compact returns body on one line (an event is one line of the log),
// without metadata.managedFields (of the object, or of each item of a
// list) when omitManagedFields.
func compact(body []byte, omitManagedFields bool) json.RawMessage {
	if omitManagedFields {
		body = withoutManagedFields(body)
	}
	var buf bytes.Buffer
	if json.Compact(&buf, body) != nil {
		return nil
	}
	return buf.Bytes()
}

// withoutManagedFields returns body with metadata.managedFields removed
// from the object and from each of its items; body as it is when it is
// not a JSON object.
func withoutManagedFields(body []byte) []byte {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil {
		return body
	}
	changed := false
	if md, ok := obj["metadata"]; ok {
		if out, ok := dropKey(md, "managedFields"); ok {
			obj["metadata"], changed = out, true
		}
	}
	var items []json.RawMessage
	if raw, ok := obj["items"]; ok && json.Unmarshal(raw, &items) == nil {
		for i, it := range items {
			items[i] = withoutManagedFields(it)
		}
		if b, err := json.Marshal(items); err == nil {
			obj["items"], changed = b, true
		}
	}
	if !changed {
		return body
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return body
	}
	return out
}

// dropKey returns the JSON object raw without key, and whether it had it.
func dropKey(raw json.RawMessage, key string) (json.RawMessage, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return raw, false
	}
	if _, ok := m[key]; !ok {
		return raw, false
	}
	delete(m, key)
	out, err := json.Marshal(m)
	if err != nil {
		return raw, false
	}
	return out, true
}
