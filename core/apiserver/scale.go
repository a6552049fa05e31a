package apiserver

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// The scale subresource (autoscaling/v1 Scale) of Deployments, ReplicaSets
// and StatefulSets is a window onto one field, spec.replicas, plus the
// observed count and the selector as text. It stores nothing of its own:
// a write goes through update on the workload, so it bumps the
// workload's generation and resourceVersion like any spec change, and a
// Scale carrying a resourceVersion is a precondition on the workload's.

// scaleResource names Scale in error messages ("Scale.autoscaling").
var scaleResource = &api.Resource{Group: "autoscaling", Version: "v1", Kind: "Scale", Plural: "scale", Singular: "scale"}

// hasScale reports whether res serves a scale subresource: the built-in
// workloads, and the versions of custom resources with
// subresources.scale (customscale.go).
func hasScale(res *api.Resource) bool {
	if res.Custom != nil {
		return customScale(res) != nil
	}
	return res.Group == "apps" && (res.Kind == "Deployment" || res.Kind == "ReplicaSet" || res.Kind == "StatefulSet")
}

// handleScale answers GET, PUT and PATCH of .../{name}/scale.
func (s *Server) handleScale(ctx context.Context, t target, req *rest.Request) response {
	obj := target{res: t.res, namespace: t.namespace, name: t.name}
	w, err := writerOf(t, req)
	if err != nil {
		return fail(err)
	}
	switch req.Method {
	case http.MethodGet:
		cur, _, err := s.read(ctx, t.res, t.namespace, t.name)
		if err != nil {
			return fail(err)
		}
		return scaleAnswer(t.res, cur)
	case http.MethodPut:
		if err := checkContentType(req.ContentType); err != nil {
			return fail(err)
		}
		want, err := decodeScale(req.Body)
		if err != nil {
			return fail(err)
		}
		return s.writeScale(ctx, obj, isDryRun(req), w, func(*api.Scale) (*api.Scale, error) { return want, nil })
	case http.MethodPatch:
		var apply func(doc []byte) ([]byte, error)
		switch mediaType(req.ContentType) {
		case rest.ContentMergePatch, rest.ContentStrategicPatch:
			// A Scale has no lists, so a strategic merge patch of it
			// means what a merge patch means.
			apply = func(doc []byte) ([]byte, error) { return mergePatch(doc, req.Body) }
		case rest.ContentJSONPatch:
			apply = func(doc []byte) ([]byte, error) { return jsonPatch(doc, req.Body) }
		default:
			return fail(errUnsupportedMediaType(req.ContentType))
		}
		return s.writeScale(ctx, obj, isDryRun(req), w, func(cur *api.Scale) (*api.Scale, error) {
			doc, err := json.Marshal(cur)
			if err != nil {
				return nil, errInternal(err)
			}
			patched, err := apply(doc)
			if err != nil {
				return nil, err
			}
			return decodeScale(patched)
		})
	}
	return fail(errMethodNotAllowed(req.Method, req.Path))
}

// writeScale reads the workload, lets next decide the Scale to write from
// the current one, and stores the replica count through update (which
// retries on conflicts unless the Scale pinned a resourceVersion).
func (s *Server) writeScale(ctx context.Context, t target, dryRun bool, w writer, next func(cur *api.Scale) (*api.Scale, error)) response {
	body, err := s.update(ctx, t, dryRun, updateMain, w, func(old api.Object) (api.Object, error) {
		cur, err := scaleOf(t.res, old)
		if err != nil {
			return nil, errInternal(err)
		}
		want, err := next(cur)
		if err != nil {
			return nil, err
		}
		if want.Name != "" && want.Name != t.name {
			return nil, errBadRequest("the name of the Scale (%s) does not match the name on the URL (%s)", want.Name, t.name)
		}
		if want.Namespace != "" && want.Namespace != t.namespace {
			return nil, errBadRequest("the namespace of the Scale (%s) does not match the namespace sent on the request (%s)", want.Namespace, t.namespace)
		}
		if rv := want.ResourceVersion; rv != "" && rv != old.GetObjectMeta().ResourceVersion {
			return nil, errConflict(t.res, t.name, modifiedSince)
		}
		if want.Spec.Replicas < 0 {
			return nil, errInvalid(scaleResource, t.name, api.FieldErrors{api.FieldInvalid("spec.replicas", want.Spec.Replicas, "must be greater than or equal to 0")})
		}
		if err := setScale(t.res, old, want.Spec.Replicas); err != nil {
			return nil, errInternal(err)
		}
		return old, nil
	})
	if err != nil {
		return fail(err)
	}
	stored := t.res.New()
	if err := json.Unmarshal(body, stored); err != nil {
		return fail(errInternal(err))
	}
	return scaleAnswer(t.res, stored)
}

// scaleAnswer encodes the Scale view of a workload, an object of res.
func scaleAnswer(res *api.Resource, obj api.Object) response {
	sc, err := scaleOf(res, obj)
	if err != nil {
		return fail(errInternal(err))
	}
	body, err := json.Marshal(sc)
	if err != nil {
		return fail(errInternal(err))
	}
	return ok(http.StatusOK, body, nil)
}

// decodeScale decodes a Scale body; apiVersion and kind, when present,
// must be autoscaling/v1 Scale.
func decodeScale(body []byte) (*api.Scale, error) {
	var sc api.Scale
	if err := json.Unmarshal(body, &sc); err != nil {
		return nil, errBadRequest("the request body is not a valid Scale: %v", jsonErrorText(err))
	}
	if (sc.APIVersion != "" && sc.APIVersion != "autoscaling/v1") || (sc.Kind != "" && sc.Kind != "Scale") {
		return nil, errBadRequest("the object's apiVersion and kind (%s, %s) are not autoscaling/v1 Scale", sc.APIVersion, sc.Kind)
	}
	return &sc, nil
}
