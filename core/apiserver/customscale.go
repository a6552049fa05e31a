package apiserver

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// A custom resource's version may serve the scale subresource
// (subresources.scale): the Scale is then read from, and its replica count
// written to, the fields the definition names by simple JSON paths —
// specReplicasPath (".spec.replicas"), statusReplicasPath and the optional
// labelSelectorPath, a selector already written as a string
// ("app=web"). A field that is not there reads as 0 (or no selector).

// customScale returns the scale settings of res, or nil when it has none
// (a built-in kind, or a version without subresources.scale).
func customScale(res *api.Resource) *api.CustomResourceSubresourceScale {
	if res.Custom == nil || res.Custom.Version.Subresources == nil {
		return nil
	}
	return res.Custom.Version.Subresources.Scale
}

// scaleOf returns the Scale view of obj, an object of res.
func scaleOf(res *api.Resource, obj api.Object) (*api.Scale, error) {
	sc := customScale(res)
	if sc == nil {
		s, ok := api.ScaleOf(obj)
		if !ok {
			return nil, fmt.Errorf("%T has no scale subresource", obj)
		}
		return s, nil
	}
	u := obj.(*api.Unstructured)
	spec, err := replicasAt(u, sc.SpecReplicasPath)
	if err != nil {
		return nil, err
	}
	status, err := replicasAt(u, sc.StatusReplicasPath)
	if err != nil {
		return nil, err
	}
	m := u.ObjectMeta
	out := &api.Scale{
		TypeMeta: api.TypeMeta{APIVersion: "autoscaling/v1", Kind: "Scale"},
		ObjectMeta: api.ObjectMeta{Name: m.Name, Namespace: m.Namespace, UID: m.UID,
			ResourceVersion: m.ResourceVersion, CreationTimestamp: m.CreationTimestamp},
		Spec:   api.ScaleSpec{Replicas: spec},
		Status: api.ScaleStatus{Replicas: status},
	}
	if sc.LabelSelectorPath != nil && *sc.LabelSelectorPath != "" {
		if v, ok := u.Field(jsonPathFields(*sc.LabelSelectorPath)...); ok {
			sel, isString := v.(string)
			if !isString {
				return nil, fmt.Errorf("%s of %s %q is not a string", *sc.LabelSelectorPath, res.Kind, m.Name)
			}
			out.Status.Selector = sel
		}
	}
	return out, nil
}

// setScale writes replicas into obj, an object of res, where its scale
// subresource keeps the desired count.
func setScale(res *api.Resource, obj api.Object, replicas int32) error {
	sc := customScale(res)
	if sc == nil {
		return api.SetScale(obj, replicas)
	}
	path := jsonPathFields(sc.SpecReplicasPath)
	if len(path) == 0 {
		return fmt.Errorf("specReplicasPath %q names no field", sc.SpecReplicasPath)
	}
	obj.(*api.Unstructured).SetField(json.Number(strconv.Itoa(int(replicas))), path...)
	return nil
}

// replicasAt reads an integer at a simple JSON path of u: 0 when the
// field is not there, an error when it is not an integer.
func replicasAt(u *api.Unstructured, path string) (int32, error) {
	v, ok := u.Field(jsonPathFields(path)...)
	if !ok || v == nil {
		return 0, nil
	}
	n, isNumber := v.(json.Number)
	if !isNumber {
		return 0, fmt.Errorf("%s of %s %q is not an integer", path, u.Kind, u.Name)
	}
	i, err := strconv.ParseInt(string(n), 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%s of %s %q is not a 32-bit integer: %s", path, u.Kind, u.Name, n)
	}
	return int32(i), nil
}

// jsonPathFields splits a simple JSON path (".spec.replicas") into its
// field names; "" and "." name none.
func jsonPathFields(p string) []string {
	p = strings.TrimPrefix(p, ".")
	if p == "" {
		return nil
	}
	return strings.Split(p, ".")
}
