package apiserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
)

// handleUpdate answers PUT of an object or its status.
func (s *Server) handleUpdate(ctx context.Context, t target, req *rest.Request) response {
	obj, warnings, err := decodeRequest(t, req)
	if err != nil {
		return fail(err, warnings...)
	}
	if err := checkIdentity(t, obj); err != nil {
		return fail(err, warnings...)
	}
	w, err := writerOf(t, req)
	if err != nil {
		return fail(err, warnings...)
	}
	body, err := s.update(ctx, t, isDryRun(req), modeFor(t), w, func(old api.Object) (api.Object, error) {
		// A resourceVersion in the body is a precondition: the client
		// read that version and means to replace exactly it.
		if rv := obj.GetObjectMeta().ResourceVersion; rv != "" && rv != old.GetObjectMeta().ResourceVersion {
			return nil, errConflict(t.res, t.name, modifiedSince)
		}
		return api.DeepCopy(obj), nil
	})
	if err != nil {
		return fail(err, warnings...)
	}
	return ok(http.StatusOK, body, warnings)
}

// checkIdentity refuses a body that names another object than the URL.
func checkIdentity(t target, obj api.Object) error {
	meta := obj.GetObjectMeta()
	if meta.Name != t.name {
		return errBadRequest("the name of the object (%s) does not match the name on the URL (%s)", meta.Name, t.name)
	}
	if t.res.Namespaced {
		if meta.Namespace == "" {
			meta.Namespace = t.namespace
		} else if meta.Namespace != t.namespace {
			return errBadRequest("the namespace of the provided object (%s) does not match the namespace sent on the request (%s)", meta.Namespace, t.namespace)
		}
	}
	return nil
}

// updateMode says which parts of an object an update may change.
type updateMode int

const (
	updateMain     updateMode = iota // PUT/PATCH of the object: everything but status and server metadata
	updateStatus                     // PUT/PATCH of /status: only status
	updateApproval                   // PUT/PATCH of a CSR's /approval: only the Approved and Denied conditions
	updateDeletion                   // a delete marking the object: deletionTimestamp and grace period
	updateBinding                    // a binding: a pod's spec.nodeName, set once
	updateFinalize                   // PUT of a namespace's /finalize: only spec.finalizers
)

// modeFor returns the update mode of a request's target.
func modeFor(t target) updateMode {
	switch t.subresource {
	case "status":
		return updateStatus
	case "finalize":
		return updateFinalize
	case "approval":
		return updateApproval
	}
	return updateMain
}

// maxUpdateAttempts bounds the read-modify-write retries of one update.
const maxUpdateAttempts = 16

// update is the one write path of every change to an existing object
// (PUT, PATCH, status, finalizer removal, graceful delete). It reads the
// object, lets mutate produce the next version, applies the strategy,
// defaulting and validation, and writes it on the condition that nothing
// changed since the read — retrying from a fresh read when something did.
// mutate sees a private copy and decides preconditions.
//
// An object being deleted whose last finalizer is removed is deleted here.
// It returns the encoded object as stored.
func (s *Server) update(ctx context.Context, t target, dryRun bool, mode updateMode, w writer, mutate func(old api.Object) (api.Object, error)) ([]byte, error) {
	res := t.res
	for attempt := 0; ; attempt++ {
		old, kv, err := s.read(ctx, res, t.namespace, t.name)
		if err != nil {
			return nil, err
		}
		// mutate gets a private copy (decoding again is cheaper than a
		// deep copy). The strategies below may then make next share values
		// with old (its status, or all but its status); that is safe because
		// old is only read from here on, and defaulting, which runs on next,
		// changes nothing in an object that was stored already defaulted.
		mine, err := decodeKV(res, kv)
		if err != nil {
			return nil, errInternal(err)
		}
		next, err := mutate(mine)
		if err != nil {
			return nil, err
		}
		applied := next.GetObjectMeta().ManagedFields
		switch mode {
		case updateStatus:
			next, err = prepareForStatusUpdate(next, old)
		case updateMain:
			next, err = prepareForUpdate(res, next, old)
		case updateFinalize:
			next, err = prepareForFinalize(next, old)
		case updateApproval:
			next, err = prepareForApproval(next, old)
		}
		if err != nil {
			return nil, errInternal(err)
		}
		defaultObject(res, next)
		// Writes a request asked for are admitted; the server's own
		// bookkeeping (untracked) was admitted with its request.
		if w != untracked && mode != updateDeletion {
			if err := s.admit(ctx, &admissionRequest{op: opUpdate, res: res, subresource: w.subresource, old: old, obj: next, dryRun: dryRun}); err != nil {
				return nil, err
			}
		}
		errs := s.validateUpdate(res, next, old, mode)
		if mode == updateStatus {
			// Every status write (PUT, each patch type, apply, the
			// eviction's PDB bookkeeping) passes here.
			errs = append(errs, api.ValidateStatusUpdate(next, old)...)
		}
		if mode == updateBinding {
			// Binding is the one way to set an immutable nodeName.
			errs = api.Validate(next)
		}
		if len(errs) > 0 {
			return nil, errInvalid(res, t.name, errs)
		}
		if err := checkFinalizers(res, next, old); err != nil {
			return nil, err
		}
		// Record who changed what (managedfields.go); an apply has
		// recorded it already, and the strategy must not undo that.
		if w.applied {
			next.GetObjectMeta().ManagedFields = applied
		} else if w.manager != "" {
			if err := s.recordUpdate(res, old, servedJSON(res, old, kv.Value), next, w); err != nil {
				return nil, err
			}
		}
		// A Service that changes type or is re-applied may need a cluster
		// IP or node ports it does not hold yet; they are reserved before
		// the write and released if it does not happen (see allocation.go).
		oldSvc, isService := old.(*api.Service)
		var reserved []string
		if isService && mode == updateMain && !readyToDelete(next) {
			if reserved, err = s.allocateService(ctx, res, next.(*api.Service), oldSvc, dryRun); err != nil {
				return nil, err
			}
		}
		undo := func() { s.release(ctx, old.GetObjectMeta().UID, reserved) }
		same, err := desiredStateEqualFor(res, next, old)
		if err != nil {
			undo()
			return nil, errInternal(err)
		}
		if !same || (mode == updateDeletion && old.GetObjectMeta().DeletionTimestamp == nil) {
			// Kubernetes also bumps generation when deletion starts, so
			// controllers see it as a change of intent.
			next.GetObjectMeta().Generation = old.GetObjectMeta().Generation + 1
		}
		value, err := encodeForStore(next)
		if err != nil {
			undo()
			return nil, errInternal(err)
		}
		if bytes.Equal(value, kv.Value) && !kv.Stale {
			// Nothing changed: answer without a write, so the
			// resourceVersion does not move and no watch event fires.
			// A stale value (encrypted with a key that no longer comes
			// first) is written anyway: that is how Secrets are
			// re-encrypted after a key rotation.
			undo()
			return json.Marshal(old)
		}
		if dryRun {
			return encodeWithRevision(next, kv.ModRevision)
		}
		if readyToDelete(next) {
			_, rev, err := s.store.Delete(ctx, kv.Key, kv.ModRevision)
			if err == nil {
				if isService {
					s.release(ctx, oldSvc.UID, append(serviceClaims(oldSvc), serviceClaims(next.(*api.Service))...))
				}
				return encodeWithRevision(next, rev)
			}
			if !errors.Is(err, store.ErrConflict) || attempt == maxUpdateAttempts-1 {
				return nil, writeError(res, t.name, err)
			}
			continue
		}
		nkv, err := s.store.Update(ctx, kv.Key, value, kv.ModRevision)
		if err == nil {
			if isService {
				s.releaseDropped(ctx, oldSvc, next.(*api.Service))
			}
			return s.stored(kv.Key, next, value, nkv.ModRevision)
		}
		undo()
		if !errors.Is(err, store.ErrConflict) || attempt == maxUpdateAttempts-1 {
			return nil, writeError(res, t.name, err)
		}
		// Someone wrote between our read and write: read again. If the
		// client pinned a resourceVersion, mutate now reports the conflict.
	}
}

// checkFinalizers forbids adding finalizers to an object being deleted:
// otherwise deletion could be postponed forever.
func checkFinalizers(res *api.Resource, next, old api.Object) error {
	om := old.GetObjectMeta()
	if om.DeletionTimestamp == nil {
		return nil
	}
	for _, f := range next.GetObjectMeta().Finalizers {
		if !om.HasFinalizer(f) {
			return errInvalid(res, om.Name, api.FieldErrors{{Type: "Forbidden", Field: "metadata.finalizers",
				Detail: "no new finalizers can be added if the object is being deleted, found new finalizer " + strconv.Quote(f)}})
		}
	}
	return nil
}

// readyToDelete reports whether an object marked for deletion has nothing
// left to wait for: no finalizers (for a namespace, in spec.finalizers too)
// and no grace period still running (a pod
// with a grace period is removed by its kubelet, not by finalizers).
func readyToDelete(obj api.Object) bool {
	m := obj.GetObjectMeta()
	if m.DeletionTimestamp == nil || pendingFinalizers(obj) {
		return false
	}
	return m.DeletionGracePeriodSeconds == nil || *m.DeletionGracePeriodSeconds == 0
}

// writeError turns a failed conditional write into a Status.
func writeError(res *api.Resource, name string, err error) error {
	switch {
	case errors.Is(err, store.ErrConflict):
		return errConflict(res, name, modifiedSince)
	case errors.Is(err, store.ErrNotFound):
		return errNotFound(res, name)
	}
	return storeError(err)
}

// servedJSON returns the encoding of old, stored as value, in res's
// version: value itself, or for a version served by conversion old
// encoded again, so that field managers compare like with like (its
// resourceVersion does not matter: server metadata is never owned).
func servedJSON(res *api.Resource, old api.Object, value []byte) []byte {
	if res.Storage == nil {
		return value
	}
	b, err := json.Marshal(old)
	if err != nil {
		return value
	}
	return b
}
