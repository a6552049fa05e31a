package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// Transport carries one request to an API server and brings back its
// response. An error means no response arrived (the server is unreachable,
// the call timed out, the answer was lost); a response with an error code
// is not an error at this level.
type Transport interface {
	Do(ctx context.Context, req *rest.Request) (*rest.Response, error)
}

// Client issues API calls over a Transport.
type Client struct {
	transport Transport
	// OnWarning, when set, receives every warning the server sends.
	OnWarning func(string)
	// UserAgent names the program on requests that name none
	// ("kubelet/node-1"): the API server records a write that names no
	// field manager under the part before the "/".
	UserAgent string
}

// New returns a Client over t.
func New(t Transport) *Client { return &Client{transport: t} }

// Do sends req. A response whose code is not 2xx comes back as an
// *api.StatusError carrying the server's Status.
func (c *Client) Do(ctx context.Context, req *rest.Request) (*rest.Response, error) {
	if req.UserAgent == "" && c.UserAgent != "" {
		r := *req
		r.UserAgent = c.UserAgent
		req = &r
	}
	resp, err := c.transport.Do(ctx, req)
	if err != nil {
		return nil, err
	}
	if c.OnWarning != nil {
		for _, w := range resp.Warnings {
			c.OnWarning(w)
		}
	}
	if resp.Code < 200 || resp.Code > 299 {
		return nil, statusError(resp)
	}
	return resp, nil
}

// statusError decodes the Status of a failed response, or makes one up
// from the code when the body is not a Status.
func statusError(resp *rest.Response) error {
	var st api.Status
	if err := json.Unmarshal(resp.Body, &st); err == nil && st.Kind == "Status" {
		return &api.StatusError{Status: st}
	}
	msg := string(resp.Body)
	if len(msg) > 200 {
		msg = msg[:200] + "..."
	}
	return api.NewStatusError(int32(resp.Code), reasonForCode(resp.Code), nil,
		"the server answered %d %s: %s", resp.Code, http.StatusText(resp.Code), msg)
}

func reasonForCode(code int) api.StatusReason {
	switch code {
	case 400:
		return api.ReasonBadRequest
	case 403:
		return api.ReasonForbidden
	case 404:
		return api.ReasonNotFound
	case 409:
		return api.ReasonConflict
	case 410:
		return api.ReasonGone
	case 422:
		return api.ReasonInvalid
	case 503:
		return api.ReasonServiceUnavailable
	case 504:
		return api.ReasonTimeout
	}
	return api.ReasonInternalError
}

// Path returns the API path of a collection (name == "") or an object of
// res, optionally of a subresource. A namespaced resource with namespace ""
// names the collection across all namespaces.
func Path(res *api.Resource, namespace, name, subresource string) string {
	p := "/api/" + res.Version
	if res.Group != "" {
		p = "/apis/" + res.Group + "/" + res.Version
	}
	if res.Namespaced && namespace != "" {
		p += "/namespaces/" + url.PathEscape(namespace)
	}
	p += "/" + res.Plural
	if name != "" {
		p += "/" + url.PathEscape(name)
		if subresource != "" {
			p += "/" + subresource
		}
	}
	return p
}

// ListOptions select and page a list or watch.
type ListOptions struct {
	LabelSelector   string
	FieldSelector   string
	Limit           int64
	Continue        string
	ResourceVersion string
}

func (o ListOptions) query() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("labelSelector", o.LabelSelector)
	set("fieldSelector", o.FieldSelector)
	set("continue", o.Continue)
	set("resourceVersion", o.ResourceVersion)
	if o.Limit > 0 {
		q.Set("limit", strconv.FormatInt(o.Limit, 10))
	}
	return q
}

// WriteOptions apply to create, update and patch.
type WriteOptions struct {
	// FieldValidation is "Warn", "Strict" or "Ignore": what to do about
	// fields tinykube does not know or implement. Raw writes (CreateRaw,
	// Patch) default to the server's "Warn"; typed writes (Create, Update,
	// UpdateStatus) default to "Ignore", since an object marshalled from a
	// Go struct cannot hold an unknown field.
	FieldValidation string
	DryRun          bool
}

func (o WriteOptions) query() url.Values {
	q := url.Values{}
	if o.FieldValidation != "" {
		q.Set("fieldValidation", o.FieldValidation)
	}
	if o.DryRun {
		q.Set("dryRun", "All")
	}
	return q
}

// DeleteOptions shape a delete.
type DeleteOptions struct {
	GracePeriodSeconds *int64
	// Preconditions: delete only this uid / this resourceVersion.
	UID             string
	ResourceVersion string
	// PropagationPolicy is Background (the server's default), Foreground
	// or Orphan: what happens to the object's dependents.
	PropagationPolicy string
}

func (o DeleteOptions) body() []byte {
	type pre struct {
		UID             *string `json:"uid,omitempty"`
		ResourceVersion *string `json:"resourceVersion,omitempty"`
	}
	type opts struct {
		APIVersion         string `json:"apiVersion"`
		Kind               string `json:"kind"`
		GracePeriodSeconds *int64 `json:"gracePeriodSeconds,omitempty"`
		Preconditions      *pre   `json:"preconditions,omitempty"`
		PropagationPolicy  string `json:"propagationPolicy,omitempty"`
	}
	b := opts{APIVersion: "v1", Kind: "DeleteOptions", GracePeriodSeconds: o.GracePeriodSeconds, PropagationPolicy: o.PropagationPolicy}
	if o.UID != "" || o.ResourceVersion != "" {
		b.Preconditions = &pre{}
		if o.UID != "" {
			b.Preconditions.UID = &o.UID
		}
		if o.ResourceVersion != "" {
			b.Preconditions.ResourceVersion = &o.ResourceVersion
		}
	}
	out, _ := json.Marshal(b)
	return out
}

// errDecode wraps a response that does not decode as what was asked for.
func errDecode(what string, err error) error {
	return fmt.Errorf("the server's answer is not a valid %s: %v", what, err)
}
