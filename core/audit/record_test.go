package audit

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestEventJSON(t *testing.T) {
	received := time.Date(2026, 12, 7, 18, 27, 1, 123456789, time.FixedZone("CET", 3600))
	ev := NewEvent(LevelRequest, Request{
		AuditID: "6a7c1f0e-0000-4000-8000-000000000001", Received: received,
		URI: "/api/v1/namespaces/dev/configmaps?fieldManager=kubectl", UserAgent: "kubectl/v1.35",
		SourceIPs:  []string{"127.0.0.1"},
		Attributes: attrs(t, jane, "POST", "/api/v1/namespaces/dev/configmaps"),
	})
	ev.SetRequestObject([]byte(`{"kind":"ConfigMap",
		"metadata": {"name":"cfg","namespace":"dev","managedFields":[{"manager":"kubectl"}]},"data":{"a":"1"}}`), true)
	ev.SetResponse(201, []byte(`{"kind":"ConfigMap","metadata":{"name":"cfg","uid":"u1","resourceVersion":"7"}}`), true)
	ev.Annotate(map[string]string{"authorization.k8s.io/decision": "allow"})
	out, err := json.Marshal(ev.At(StageResponseComplete, received.Add(1500*time.Microsecond)))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"6a7c1f0e-0000-4000-8000-000000000001",` +
		`"stage":"ResponseComplete","requestURI":"/api/v1/namespaces/dev/configmaps?fieldManager=kubectl","verb":"create",` +
		`"user":{"username":"jane","groups":["dev","system:authenticated"]},"sourceIPs":["127.0.0.1"],"userAgent":"kubectl/v1.35",` +
		`"objectRef":{"resource":"configmaps","namespace":"dev","name":"cfg","apiVersion":"v1"},` +
		`"responseStatus":{"metadata":{},"code":201},` +
		`"requestObject":{"data":{"a":"1"},"kind":"ConfigMap","metadata":{"name":"cfg","namespace":"dev"}},` +
		`"requestReceivedTimestamp":"2026-12-07T17:27:01.123456Z","stageTimestamp":"2026-12-07T17:27:01.124956Z",` +
		`"annotations":{"authorization.k8s.io/decision":"allow"}}`
	if string(out) != want {
		t.Errorf("json.Marshal(event) =\n%s\nwant\n%s", out, want)
	}
	var back Event
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatalf("json.Unmarshal(event) = %v", err)
	}
	if !back.StageTimestamp.Equal(received.Add(1500 * time.Microsecond).Truncate(time.Microsecond)) {
		t.Errorf("stageTimestamp read back = %v, want %v", back.StageTimestamp, received.Add(1500*time.Microsecond))
	}
}

func TestSetResponseByLevel(t *testing.T) {
	status := []byte(`{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"web\" is forbidden: User \"jane\" cannot delete","reason":"Forbidden","details":{"name":"web","kind":"pods"},"code":403}`)
	pod := []byte("{\"kind\": \"Pod\",\n \"metadata\": {\"name\":\"web\"}}")
	tests := []struct {
		name  string
		level Level
		code  int
		body  []byte
		want  *Event
	}{
		{"metadata, object", LevelMetadata, 200, pod, &Event{ResponseStatus: &ResponseStatus{Code: 200}}},
		{"metadata, status", LevelMetadata, 403, status, &Event{ResponseStatus: &ResponseStatus{Code: 403, Status: "Failure", Reason: "Forbidden",
			Message: `pods "web" is forbidden: User "jane" cannot delete`, Details: json.RawMessage(`{"name":"web","kind":"pods"}`)}}},
		{"request-response, object", LevelRequestResponse, 200, pod, &Event{ResponseStatus: &ResponseStatus{Code: 200},
			ResponseObject: json.RawMessage(`{"kind":"Pod","metadata":{"name":"web"}}`)}},
		{"request-response, protobuf", LevelRequestResponse, 200, []byte("k8s\x00\x0a"), &Event{ResponseStatus: &ResponseStatus{Code: 200}}},
	}
	for _, tt := range tests {
		ev := &Event{Level: tt.level}
		ev.SetResponse(tt.code, tt.body, false)
		tt.want.Level = tt.level
		if diff := cmp.Diff(tt.want, ev); diff != "" {
			t.Errorf("SetResponse(%s) mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestSetRequestObjectByLevel(t *testing.T) {
	body := []byte(`{"metadata":{"name":"web","uid":"u"}}`)
	for _, tt := range []struct {
		level Level
		want  json.RawMessage
	}{{LevelMetadata, nil}, {LevelRequest, json.RawMessage(body)}, {LevelRequestResponse, json.RawMessage(body)}} {
		ev := &Event{Level: tt.level, ObjectRef: &ObjectRef{Resource: "pods", Name: "given"}}
		ev.SetRequestObject(body, false)
		want := &Event{Level: tt.level, ObjectRef: &ObjectRef{Resource: "pods", Name: "given", UID: "u"}, RequestObject: tt.want}
		if diff := cmp.Diff(want, ev); diff != "" {
			t.Errorf("SetRequestObject at %s mismatch (-want +got):\n%s", tt.level, diff)
		}
	}
}

func TestWithoutManagedFieldsInLists(t *testing.T) {
	got := string(withoutManagedFields([]byte(`{"kind":"PodList","metadata":{},"items":[{"metadata":{"name":"a","managedFields":[{}]}},{"metadata":{"name":"b"}}]}`)))
	want := `{"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}],"kind":"PodList","metadata":{}}`
	if got != want {
		t.Errorf("withoutManagedFields(list) = %s, want %s", got, want)
	}
}

func TestNewEventTruncatesUserAgent(t *testing.T) {
	long := make([]byte, 2000)
	for i := range long {
		long[i] = 'a'
	}
	ev := NewEvent(LevelMetadata, Request{UserAgent: string(long), Attributes: attrs(t, jane, "GET", "/healthz")})
	if len(ev.UserAgent) != maxUserAgent+len("...TRUNCATED") || ev.ObjectRef != nil {
		t.Errorf("NewEvent(2000-byte agent, /healthz) = agent of %d bytes, objectRef %v; want %d bytes, no objectRef", len(ev.UserAgent), ev.ObjectRef, maxUserAgent+12)
	}
}
