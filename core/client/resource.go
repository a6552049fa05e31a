package client

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// Resource is a typed handle on one kind: For[*api.Pod](c).Get(...).
type Resource[T api.Object] struct {
	c   *Client
	res *api.Resource
	new func() T
}

// For returns the handle of the kind T (a pointer type such as *api.Pod).
// It panics when T is not a served kind: that is a programming error.
func For[T api.Object](c *Client) Resource[T] {
	var zero T
	res := api.ResourceOf(zero)
	if res == nil {
		panic("client.For: not a served kind")
	}
	return Resource[T]{c: c, res: res, new: func() T { return res.New().(T) }}
}

// ForResource returns a typed handle on res for a Go type of your own
// (an operator's kind, which the built-in table of For does not know).
// res.New must return a T; the handle panics on first use otherwise, as
// For does for a kind that is not served: a programming error.
func ForResource[T api.Object](c *Client, res *api.Resource) Resource[T] {
	return Resource[T]{c: c, res: res, new: func() T { return res.New().(T) }}
}

// Dynamic returns an untyped handle on res, for code such as the CLI that
// handles every kind alike.
func Dynamic(c *Client, res *api.Resource) Resource[api.Object] {
	return Resource[api.Object]{c: c, res: res, new: res.New}
}

// Info returns the resource the handle works on.
func (r Resource[T]) Info() *api.Resource { return r.res }

func (r Resource[T]) decode(b []byte) (T, error) {
	obj := r.new()
	if err := json.Unmarshal(b, obj); err != nil {
		var zero T
		return zero, errDecode(r.res.Kind, err)
	}
	return obj, nil
}

func (r Resource[T]) call(ctx context.Context, req *rest.Request) (T, error) {
	resp, err := r.c.Do(ctx, req)
	if err != nil {
		var zero T
		return zero, err
	}
	return r.decode(resp.Body)
}

// Get returns one object.
func (r Resource[T]) Get(ctx context.Context, namespace, name string) (T, error) {
	return r.call(ctx, &rest.Request{Method: http.MethodGet, Path: Path(r.res, namespace, name, "")})
}

// List returns the objects of a namespace ("" for all namespaces, and for
// cluster-scoped kinds) that match opts.
func (r Resource[T]) List(ctx context.Context, namespace string, opts ListOptions) (*api.List[T], error) {
	resp, err := r.c.Do(ctx, &rest.Request{Method: http.MethodGet, Path: Path(r.res, namespace, "", ""), Query: opts.query()})
	if err != nil {
		return nil, err
	}
	var raw api.RawList
	if err := json.Unmarshal(resp.Body, &raw); err != nil {
		return nil, errDecode(r.res.Kind+"List", err)
	}
	out := &api.List[T]{TypeMeta: raw.TypeMeta, ListMeta: raw.ListMeta, Items: make([]T, 0, len(raw.Items))}
	for _, it := range raw.Items {
		obj, err := r.decode(it)
		if err != nil {
			return nil, err
		}
		out.Items = append(out.Items, obj)
	}
	return out, nil
}

// Create stores a new object in obj's namespace and returns it as stored.
func (r Resource[T]) Create(ctx context.Context, obj T, opts WriteOptions) (T, error) {
	if opts.FieldValidation == "" {
		opts.FieldValidation = "Ignore"
	}
	body, err := json.Marshal(obj)
	if err != nil {
		var zero T
		return zero, err
	}
	return r.CreateRaw(ctx, obj.GetObjectMeta().Namespace, body, opts)
}

// CreateRaw creates an object from its JSON encoding, sent as is (so the
// server sees every field the user wrote, known to tinykube or not).
func (r Resource[T]) CreateRaw(ctx context.Context, namespace string, body []byte, opts WriteOptions) (T, error) {
	return r.call(ctx, &rest.Request{Method: http.MethodPost, Path: Path(r.res, namespace, "", ""),
		Query: opts.query(), ContentType: rest.ContentJSON, Body: body})
}

// Update replaces an object. With metadata.resourceVersion set, it fails
// with a Conflict if the object changed since that version was read.
func (r Resource[T]) Update(ctx context.Context, obj T, opts WriteOptions) (T, error) {
	return r.put(ctx, obj, "", opts)
}

// UpdateStatus replaces an object's status and nothing else.
func (r Resource[T]) UpdateStatus(ctx context.Context, obj T, opts WriteOptions) (T, error) {
	return r.put(ctx, obj, "status", opts)
}

// UpdateSubresource replaces what subresource sub of an object holds
// ("approval": a CertificateSigningRequest's Approved and Denied
// conditions), by a PUT of the whole object there.
func (r Resource[T]) UpdateSubresource(ctx context.Context, obj T, sub string, opts WriteOptions) (T, error) {
	return r.put(ctx, obj, sub, opts)
}

func (r Resource[T]) put(ctx context.Context, obj T, sub string, opts WriteOptions) (T, error) {
	if opts.FieldValidation == "" {
		opts.FieldValidation = "Ignore"
	}
	body, err := json.Marshal(obj)
	if err != nil {
		var zero T
		return zero, err
	}
	m := obj.GetObjectMeta()
	return r.call(ctx, &rest.Request{Method: http.MethodPut, Path: Path(r.res, m.Namespace, m.Name, sub),
		Query: opts.query(), ContentType: rest.ContentJSON, Body: body})
}

// Patch applies a patch (contentType rest.ContentMergePatch or
// rest.ContentJSONPatch) to an object or, with subresource "status", its
// status.
func (r Resource[T]) Patch(ctx context.Context, namespace, name, contentType string, patch []byte, subresource string, opts WriteOptions) (T, error) {
	return r.call(ctx, &rest.Request{Method: http.MethodPatch, Path: Path(r.res, namespace, name, subresource),
		Query: opts.query(), ContentType: contentType, Body: patch})
}

// Delete deletes an object, or starts its graceful deletion, and returns it
// as it was left.
func (r Resource[T]) Delete(ctx context.Context, namespace, name string, opts DeleteOptions) (T, error) {
	return r.call(ctx, &rest.Request{Method: http.MethodDelete, Path: Path(r.res, namespace, name, ""),
		ContentType: rest.ContentJSON, Body: opts.body()})
}

// Bind assigns a pod to a node through the pods/binding subresource. It
// fails with a Conflict if the pod already has a node. uid, when set, makes
// the binding conditional on the pod still being that pod.
func Bind(ctx context.Context, c *Client, namespace, name, uid, node string) error {
	b := api.Binding{TypeMeta: api.TypeMeta{APIVersion: "v1", Kind: "Binding"},
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: namespace, UID: uid},
		Target:     api.ObjectReference{Kind: "Node", Name: node}}
	body, err := json.Marshal(b)
	if err != nil {
		return err
	}
	res := api.ResourceByPlural("", "pods")
	_, err = c.Do(ctx, &rest.Request{Method: http.MethodPost, Path: Path(res, namespace, name, "binding"), ContentType: rest.ContentJSON, Body: body})
	return err
}
