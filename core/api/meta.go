package api

import (
	"encoding/json"
	"fmt"
	"time"
)

// TypeMeta names an object's schema: apiVersion ("v1", "apps/v1") and kind.
type TypeMeta struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
}

// Time is a timestamp that serialises as RFC 3339 with second precision,
// as Kubernetes' metav1.Time does. The zero value is omitted from JSON when
// used through a pointer.
type Time struct{ time.Time }

// NewTime wraps t, truncated to seconds so that a value survives a JSON
// round trip unchanged.
func NewTime(t time.Time) *Time { return &Time{t.UTC().Truncate(time.Second)} }

// MarshalJSON writes the time in RFC 3339, UTC. It fails for a year
// outside 0–9999, which RFC 3339 cannot write.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	if err := checkYear(t.Time); err != nil {
		return nil, err
	}
	return []byte(`"` + t.UTC().Format(time.RFC3339) + `"`), nil
}

// checkYear rejects times whose UTC year RFC 3339 cannot write. Without it
// "9999-12-31T23:59:59-01:00" would decode (it is year 10000 in UTC) into
// an object that cannot be encoded and decoded again.
func checkYear(t time.Time) error {
	if y := t.UTC().Year(); y < 0 || y > 9999 {
		return fmt.Errorf("timestamp %s: year %d in UTC is outside 0–9999", t.Format(time.RFC3339Nano), y)
	}
	return nil
}

// UnmarshalJSON reads RFC 3339 (with or without fractional seconds) or null,
// truncated to seconds so that the value equals what MarshalJSON writes
// back. It rejects a time whose year in UTC is outside 0–9999.
func (t *Time) UnmarshalJSON(b []byte) error {
	v, err := parseTimestamp(b)
	if err != nil {
		return err
	}
	t.Time = v.Truncate(time.Second)
	return nil
}

// parseTimestamp reads a JSON RFC 3339 string or null (the zero time), in
// UTC with full precision.
func parseTimestamp(b []byte) (time.Time, error) {
	s := string(b)
	if s == "null" {
		return time.Time{}, nil
	}
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return time.Time{}, &time.ParseError{Layout: time.RFC3339, Value: s, Message: ": timestamp must be a string"}
	}
	v, err := time.Parse(time.RFC3339Nano, s[1:len(s)-1])
	if err != nil {
		return time.Time{}, err
	}
	if err := checkYear(v); err != nil {
		return time.Time{}, err
	}
	return v.UTC(), nil
}

// ObjectMeta is the metadata every stored object carries.
//
// The API server owns uid, resourceVersion, generation, creationTimestamp and
// deletionTimestamp: clients may send them but the server decides their values.
type ObjectMeta struct {
	Name                       string            `json:"name,omitempty"`
	GenerateName               string            `json:"generateName,omitempty"`
	Namespace                  string            `json:"namespace,omitempty"`
	UID                        string            `json:"uid,omitempty"`
	ResourceVersion            string            `json:"resourceVersion,omitempty"`
	Generation                 int64             `json:"generation,omitempty"`
	CreationTimestamp          *Time             `json:"creationTimestamp,omitempty"`
	DeletionTimestamp          *Time             `json:"deletionTimestamp,omitempty"`
	DeletionGracePeriodSeconds *int64            `json:"deletionGracePeriodSeconds,omitempty"`
	Labels                     map[string]string `json:"labels,omitempty"`
	Annotations                map[string]string `json:"annotations,omitempty"`
	OwnerReferences            []OwnerReference  `json:"ownerReferences,omitempty" patchStrategy:"merge" patchMergeKey:"uid"`
	Finalizers                 []string          `json:"finalizers,omitempty" patchStrategy:"merge"`
	// ManagedFields records, per field manager, the fields it set: what
	// server-side apply needs to tell who owns a field (see
	// core/apiserver/managedfields.go). The API server keeps it.
	ManagedFields []ManagedFieldsEntry `json:"managedFields,omitempty"`
}

// ManagedFieldsEntry is the set of fields one field manager owns, from
// one kind of operation: "Apply" (server-side apply: the fields of the
// manager's last applied configuration) or "Update" (every other write:
// the fields it changed, until another writer changes them).
type ManagedFieldsEntry struct {
	Manager    string `json:"manager,omitempty"`
	Operation  string `json:"operation,omitempty"`
	APIVersion string `json:"apiVersion,omitempty"`
	// Time is when the manager last changed its fields.
	Time *Time `json:"time,omitempty"`
	// FieldsType is "FieldsV1", the format of FieldsV1.
	FieldsType string `json:"fieldsType,omitempty"`
	// FieldsV1 is the set of fields, as a tree of JSON objects keyed by
	// path element: "f:name" a field, "k:{...}" the item of a keyed list,
	// "v:..." the item of a set, "." the node itself.
	FieldsV1 json.RawMessage `json:"fieldsV1,omitempty"`
	// Subresource is the subresource written ("status", "scale"), or
	// empty for the object itself.
	Subresource string `json:"subresource,omitempty"`
}

// The operations of a managed fields entry.
const (
	ManagedFieldsApply  = "Apply"
	ManagedFieldsUpdate = "Update"
)

// OwnerReference points from a dependent to its owner. At most one owner
// reference of an object has Controller set.
type OwnerReference struct {
	APIVersion         string `json:"apiVersion"`
	Kind               string `json:"kind"`
	Name               string `json:"name"`
	UID                string `json:"uid"`
	Controller         *bool  `json:"controller,omitempty"`
	BlockOwnerDeletion *bool  `json:"blockOwnerDeletion,omitempty"`
}

// ListMeta is the metadata of a list: the revision it was read at and, when
// the list was cut short by a limit, the token that continues it.
type ListMeta struct {
	ResourceVersion    string `json:"resourceVersion,omitempty"`
	Continue           string `json:"continue,omitempty"`
	RemainingItemCount *int64 `json:"remainingItemCount,omitempty"`
}

// Object is implemented by every kind the API server stores.
type Object interface {
	GetTypeMeta() *TypeMeta
	GetObjectMeta() *ObjectMeta
}

// GetTypeMeta returns the object's type metadata.
func (t *TypeMeta) GetTypeMeta() *TypeMeta { return t }

// GetObjectMeta returns the object's metadata.
func (m *ObjectMeta) GetObjectMeta() *ObjectMeta { return m }

// IsControlledBy reports whether meta has a controller reference to uid.
func (m *ObjectMeta) IsControlledBy(uid string) bool {
	ref := m.ControllerRef()
	return ref != nil && ref.UID == uid
}

// ControllerRef returns the owner reference with Controller set, or nil.
func (m *ObjectMeta) ControllerRef() *OwnerReference {
	for i := range m.OwnerReferences {
		r := &m.OwnerReferences[i]
		if r.Controller != nil && *r.Controller {
			return r
		}
	}
	return nil
}

// HasFinalizer reports whether name is among the object's finalizers.
func (m *ObjectMeta) HasFinalizer(name string) bool {
	for _, f := range m.Finalizers {
		if f == name {
			return true
		}
	}
	return false
}
