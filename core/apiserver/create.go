package apiserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
)

// handleCreate answers POST to a collection.
func (s *Server) handleCreate(ctx context.Context, t target, req *rest.Request) response {
	if t.subresource != "" {
		return fail(errMethodNotAllowed(req.Method, req.Path))
	}
	if t.res.Namespaced && t.namespace == "" {
		return fail(errBadRequest("%s are namespaced: create them under /namespaces/{namespace}/%s", t.res.Plural, t.res.Plural))
	}
	obj, warnings, err := decodeRequest(t, req)
	if err != nil {
		return fail(err, warnings...)
	}
	meta := obj.GetObjectMeta()
	if t.res.Namespaced {
		if meta.Namespace == "" {
			meta.Namespace = t.namespace
		} else if meta.Namespace != t.namespace {
			return fail(errBadRequest("the namespace of the provided object (%s) does not match the namespace sent on the request (%s)", meta.Namespace, t.namespace), warnings...)
		}
	} else {
		meta.Namespace = ""
	}
	if meta.ResourceVersion != "" {
		return fail(errBadRequest("metadata.resourceVersion: Forbidden: may not be set on objects to be created (%s %q)", t.res.Kind, meta.Name), warnings...)
	}
	w, err := writerOf(t, req)
	if err != nil {
		return fail(err, warnings...)
	}
	out, err := s.create(ctx, t, obj, isDryRun(req), w)
	if err != nil {
		return fail(err, warnings...)
	}
	return ok(http.StatusCreated, out, warnings)
}

// create stores a new object and returns it encoded. With generateName and
// no name it draws names until one is free (at most 8 tries).
func (s *Server) create(ctx context.Context, t target, obj api.Object, dryRun bool, w writer) ([]byte, error) {
	res := t.res
	meta := obj.GetObjectMeta()
	if err := checkCustomCreate(res, meta.Name); err != nil {
		return nil, err
	}
	if res.Namespaced {
		if err := s.checkNamespaceOpen(ctx, res, meta.Name, meta.Namespace); err != nil {
			return nil, err
		}
	}
	generate := meta.Name == "" && meta.GenerateName != ""
	// prepareForCreate writes the name and uid into a Job's labels and
	// selector; a retry with a new name and uid starts from the request.
	var request api.Object
	if _, isJob := obj.(*api.Job); isJob && generate {
		request = api.DeepCopy(obj)
	}
	for attempt := 0; ; attempt++ {
		if request != nil && attempt > 0 {
			obj = api.DeepCopy(request)
			meta = obj.GetObjectMeta()
		}
		if generate {
			meta.Name = meta.GenerateName + s.generatedSuffix()
		}
		if meta.Name == "" {
			return nil, errInvalid(res, "", api.FieldErrors{{Type: "Required value", Field: "metadata.name", Detail: "name or generateName is required"}})
		}
		prepared, err := prepareForCreate(res, obj, s.newUID(), s.clock.Now())
		if err != nil {
			return nil, errInternal(err)
		}
		defaultObject(res, prepared)
		if err := s.defaultStorageClass(ctx, prepared); err != nil {
			return nil, err
		}
		protectClaim(prepared)
		if err := s.admit(ctx, &admissionRequest{op: opCreate, res: res, obj: prepared, dryRun: dryRun}); err != nil {
			return nil, err
		}
		if p, ok := prepared.(*api.Pod); ok {
			p.Status.QOSClass = api.PodQOSClass(p)
		}
		if errs := s.validateCreate(res, prepared); len(errs) > 0 {
			return nil, errInvalid(res, meta.Name, errs)
		}
		if w.manager != "" && !w.applied {
			if err := s.recordUpdate(res, nil, nil, prepared, w); err != nil {
				return nil, err
			}
		}
		// A Service's cluster IP and node ports are reserved after
		// validation (bad input reserves nothing) and released again if
		// the Service is not written.
		var reserved []string
		if svc, isService := prepared.(*api.Service); isService {
			if reserved, err = s.allocateService(ctx, res, svc, nil, dryRun); err != nil {
				return nil, err
			}
		}
		uid := prepared.GetObjectMeta().UID
		value, err := encodeForStore(prepared)
		if err != nil {
			s.release(ctx, uid, reserved)
			return nil, errInternal(err)
		}
		if dryRun {
			// Nothing is written, but the answer is the one a real
			// create would give, AlreadyExists included.
			if _, err := s.store.Get(ctx, key(res, meta.Namespace, prepared.GetObjectMeta().Name)); err == nil {
				return nil, errAlreadyExists(res, prepared.GetObjectMeta().Name)
			} else if !errors.Is(err, store.ErrNotFound) {
				return nil, storeError(err)
			}
			return encodeWithRevision(prepared, 0)
		}
		kv, err := s.store.Create(ctx, key(res, meta.Namespace, prepared.GetObjectMeta().Name), value)
		if err != nil {
			s.release(ctx, uid, reserved)
		}
		if errors.Is(err, store.ErrExists) {
			if generate && attempt < 7 {
				continue
			}
			return nil, errAlreadyExists(res, prepared.GetObjectMeta().Name)
		}
		if err != nil {
			return nil, storeError(err)
		}
		return s.stored(kv.Key, prepared, value, kv.ModRevision)
	}
}

// decodeRequest reads the object a create or update sends: it checks the
// content type, decodes the body as t's kind, and applies the request's
// field validation, returning the warnings to send back.
func decodeRequest(t target, req *rest.Request) (api.Object, []string, error) {
	if err := checkContentType(req.ContentType); err != nil {
		return nil, nil, err
	}
	obj, err := decodeBody(t.res, req.Body)
	if err != nil {
		return nil, nil, err
	}
	warnings, err := checkFields(t, req, obj)
	return obj, warnings, err
}

// checkNamespaceOpen refuses a new object (res, name) in a namespace that
// does not exist or is being deleted; the latter is Forbidden, worded as
// Kubernetes' NamespaceLifecycle admission words it.
func (s *Server) checkNamespaceOpen(ctx context.Context, res *api.Resource, name, ns string) error {
	nsRes := api.ResourceByPlural("", "namespaces")
	if known, open := s.namespaces.lookup(s, ns); known {
		if !open {
			return errTerminating(res, name, ns)
		}
		return nil
	}
	kv, err := s.store.Get(ctx, key(nsRes, "", ns))
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound(nsRes, ns)
	}
	if err != nil {
		return storeError(err)
	}
	obj, err := decodeKV(nsRes, kv)
	if err != nil {
		return errInternal(err)
	}
	if obj.GetObjectMeta().DeletionTimestamp != nil {
		return errTerminating(res, name, ns)
	}
	return nil
}

// errTerminating refuses new content in a terminating namespace, with the
// NamespaceTerminating cause Kubernetes gives.
func errTerminating(res *api.Resource, name, ns string) error {
	err := errForbidden(res, name, fmt.Sprintf("unable to create new content in namespace %s because it is being terminated", ns)).(*api.StatusError)
	err.Status.Details.Causes = append(err.Status.Details.Causes, api.StatusCause{Type: "NamespaceTerminating", Field: "metadata.namespace",
		Message: fmt.Sprintf("namespace %s is being terminated", ns)})
	return err
}

// checkFields applies the request's field validation level to the fields
// of the body that tinykube does not know and the keys it repeats:
// warnings (the default, "Warn", as in Kubernetes), nothing ("Ignore"), or
// a 400 listing them all ("Strict", what kubectl sends). Fields tinykube
// knows but does not implement are warned about except under "Ignore":
// they are known, so strict validation accepts them, as kubectl's users
// expect of manifests written for Kubernetes. A
// status write is not checked: only its status is used, and the server
// fills that from its own types.
func checkFields(t target, req *rest.Request, obj api.Object) ([]string, error) {
	level, err := fieldValidation(req)
	if err != nil || t.subresource == "status" {
		return nil, err
	}
	report, err := fieldReport(level, t.res, req.Body, obj)
	if err != nil {
		return nil, err
	}
	report = withoutDefaulted(t.res, req.Body, report)
	if refused := report.Refused(); level == "Strict" && len(refused) > 0 {
		return nil, errStrict(refused)
	}
	return report.Warnings, nil
}

// fieldValidation returns the level a request asks for: "", "Warn",
// "Strict" or "Ignore".
func fieldValidation(req *rest.Request) (string, error) {
	level := req.Query.Get("fieldValidation")
	switch level {
	case "", "Warn", "Strict", "Ignore":
		return level, nil
	}
	return "", errBadRequest("fieldValidation %q is not one of Ignore, Warn, Strict", level)
}

// fieldReport lists the unknown and not-implemented fields of body, or
// nothing at level "Ignore". obj is body decoded as res. A custom object
// is pruned here (whatever the level): the fields its schema does not
// declare are its unknown fields, as Kubernetes reports them.
func fieldReport(level string, res *api.Resource, body []byte, obj api.Object) (api.FieldReport, error) {
	if res.Custom != nil {
		pruned := pruneCustom(res, obj)
		if level == "Ignore" {
			return api.FieldReport{}, nil
		}
		r := api.FieldReport{Unknown: pruned, Duplicate: api.DuplicateFields(body, obj)}
		r.Warnings = r.Refused()
		return r, nil
	}
	if level == "Ignore" {
		return api.FieldReport{}, nil
	}
	report, err := api.CheckFields(body, obj)
	if err != nil {
		return report, errBadRequest("%v", err)
	}
	return report, nil
}

func checkContentType(ct string) error {
	switch mediaType(ct) {
	case "", rest.ContentJSON:
		return nil
	}
	return errUnsupportedMediaType(ct)
}

// storeError turns a store failure that has no better meaning into a
// Status.
func storeError(err error) error {
	switch {
	case errors.Is(err, store.ErrCompacted):
		return errExpired("the requested resourceVersion is too old: the history before it was compacted; list again to get a current one")
	case errors.Is(err, store.ErrFutureRevision):
		return errTimeout("Too large resource version: the server has not reached it yet")
	case errors.Is(err, store.ErrUnreadable):
		// Not an outage: this server lacks the key the value was
		// encrypted with. Retrying will not help; its configuration will.
		return errInternal(err)
	}
	if tl := (*store.TooLargeError)(nil); errors.As(err, &tl) {
		return errObjectTooLarge(tl)
	}
	return api.NewStatusError(http.StatusServiceUnavailable, api.ReasonServiceUnavailable, nil,
		"the store is unavailable: %v", err)
}
