package podautoscaler

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

// ScaleClient reads and writes the scale subresource of an autoscaler's
// target, whatever its kind. The controller uses the API's (NewScales);
// tests use a fake.
type ScaleClient interface {
	// GetScale returns the target's Scale (autoscaling/v1).
	GetScale(ctx context.Context, namespace string, ref api.CrossVersionObjectReference) (*api.Scale, error)
	// UpdateScale writes s back: its spec.replicas becomes the target's.
	UpdateScale(ctx context.Context, namespace string, ref api.CrossVersionObjectReference, s *api.Scale) error
}

// NewScales returns the ScaleClient that speaks to the API through c:
// GET and PUT of {target}/scale. The target's kind is resolved as
// Kubernetes' RESTMapper does, by group and kind (any served version):
// the built-in kinds first, then custom resources from discovery, which
// is asked again when a kind is not known (a definition created since).
func NewScales(c *client.Client) ScaleClient { return &apiScales{c: c} }

type apiScales struct {
	c          *client.Client
	discovered *api.ResourceSet
}

// resource resolves ref to the resource whose scale subresource to use.
func (s *apiScales) resource(ctx context.Context, ref api.CrossVersionObjectReference) (*api.Resource, error) {
	group := ref.APIVersion
	if i := strings.Index(group, "/"); i >= 0 {
		group = group[:i]
	} else {
		group = "" // "v1": the core group
	}
	find := func(set *api.ResourceSet) *api.Resource {
		var found *api.Resource
		for _, r := range set.All() {
			if r.Group == group && r.Kind == ref.Kind && (found == nil || api.VersionPriority(r.Version) > api.VersionPriority(found.Version)) {
				found = r
			}
		}
		return found
	}
	if r := find(api.BuiltinResources()); r != nil {
		return r, nil
	}
	if s.discovered != nil {
		if r := find(s.discovered); r != nil {
			return r, nil
		}
	}
	set, err := client.Discover(ctx, s.c)
	if err != nil {
		return nil, fmt.Errorf("unable to determine resource for scale target reference: %v", err)
	}
	s.discovered = set
	if r := find(set); r != nil {
		return r, nil
	}
	return nil, fmt.Errorf("unable to determine resource for scale target reference: no matches for kind %q in group %q", ref.Kind, group)
}

func (s *apiScales) GetScale(ctx context.Context, namespace string, ref api.CrossVersionObjectReference) (*api.Scale, error) {
	res, err := s.resource(ctx, ref)
	if err != nil {
		return nil, err
	}
	resp, err := s.c.Do(ctx, &rest.Request{Method: http.MethodGet, Path: client.Path(res, namespace, ref.Name, "scale")})
	if err != nil {
		return nil, err
	}
	var sc api.Scale
	if err := json.Unmarshal(resp.Body, &sc); err != nil {
		return nil, fmt.Errorf("reading the scale of %s %s/%s: %v", ref.Kind, namespace, ref.Name, err)
	}
	return &sc, nil
}

func (s *apiScales) UpdateScale(ctx context.Context, namespace string, ref api.CrossVersionObjectReference, sc *api.Scale) error {
	res, err := s.resource(ctx, ref)
	if err != nil {
		return err
	}
	body, err := json.Marshal(sc)
	if err != nil {
		return err
	}
	_, err = s.c.Do(ctx, &rest.Request{Method: http.MethodPut, Path: client.Path(res, namespace, ref.Name, "scale"),
		ContentType: rest.ContentJSON, Body: body})
	return err
}
