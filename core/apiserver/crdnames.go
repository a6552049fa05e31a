package apiserver

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// The API server, not a client, decides under which names a
// CustomResourceDefinition is served: its names may clash with another
// definition's in the same group (a short name, the kind, the list kind).
// Kubernetes' naming and establishing controllers decide this after the
// write; tinykube decides it in the write itself, as an admission step
// (admitCRDNames), so that a definition is served as soon as it is stored
// and the answer to the create already says whether it was accepted.
//
//	NamesAccepted  True: "NoConflicts"; False: "<Plural|Singular|ShortNames|Kind|ListKind>Conflict"
//	Established    True once the names were first accepted: "InitialNamesAccepted"
//	status.acceptedNames  the names served (the last accepted ones on a clash)
//	status.storedVersions every version ever used as the storage version

// admitCRDNames stamps a CRD being created or updated (its object or its
// status) with the server's view of its names, and gives a new one the
// cleanup finalizer.
func admitCRDNames(s *Server, ctx context.Context, r *admissionRequest) error {
	crd, ok := r.obj.(*api.CustomResourceDefinition)
	if !ok || (r.op != opCreate && r.op != opUpdate) {
		return nil
	}
	if r.op == opCreate && !slices.Contains(crd.Finalizers, api.CustomResourceCleanupFinalizer) {
		crd.Finalizers = append(crd.Finalizers, api.CustomResourceCleanupFinalizer)
	}
	if o, ok := r.old.(*api.CustomResourceDefinition); ok {
		// Only the server changes what it accepted.
		crd.Status.AcceptedNames = o.Status.AcceptedNames
		crd.Status.StoredVersions = o.Status.StoredVersions
	} else {
		crd.Status.AcceptedNames = api.CustomResourceDefinitionNames{}
		crd.Status.StoredVersions = nil
	}
	observeCRDNames(crd, s.definitions(), s.clock.Now())
	return nil
}

// observeCRDNames sets crd's accepted names, NamesAccepted and Established
// conditions and stored versions, given the other definitions the server
// knows.
func observeCRDNames(crd *api.CustomResourceDefinition, others []*api.CustomResourceDefinition, now time.Time) {
	reason, msg := namesConflict(crd, others)
	accepted := reason == ""
	if accepted {
		crd.Status.AcceptedNames = crd.Spec.Names
		setCRDCondition(crd, api.CRDNamesAccepted, api.ConditionTrue, "NoConflicts", "no conflicts found", now)
	} else {
		setCRDCondition(crd, api.CRDNamesAccepted, api.ConditionFalse, reason, msg, now)
	}
	switch {
	case crd.Status.AcceptedNames.Plural != "" && crd.DeletionTimestamp == nil:
		if !crd.Status.IsTrue(api.CRDEstablished) {
			setCRDCondition(crd, api.CRDEstablished, api.ConditionTrue, "InitialNamesAccepted", "the initial names have been accepted", now)
		}
	case crd.Status.Condition(api.CRDEstablished) == nil:
		setCRDCondition(crd, api.CRDEstablished, api.ConditionFalse, "NotAccepted", "not all names are accepted", now)
	}
	if sv := crd.StorageVersion(); sv != "" && !slices.Contains(crd.Status.StoredVersions, sv) {
		crd.Status.StoredVersions = append(crd.Status.StoredVersions, sv)
	}
	if crd.Status.StoredVersions == nil {
		crd.Status.StoredVersions = []string{}
	}
}

// namesConflict returns why crd's names clash with another definition of
// the same group, as Kubernetes' naming controller words it, or "".
func namesConflict(crd *api.CustomResourceDefinition, others []*api.CustomResourceDefinition) (reason, message string) {
	n := crd.Spec.Names
	for _, o := range others {
		if o.Name == crd.Name || o.Spec.Group != crd.Spec.Group {
			continue
		}
		on := o.Status.AcceptedNames
		switch {
		case n.Plural == on.Plural || n.Plural == on.Singular:
			return "PluralConflict", fmt.Sprintf("%q is already in use", n.Plural)
		case n.Singular == on.Plural || n.Singular == on.Singular:
			return "SingularConflict", fmt.Sprintf("%q is already in use", n.Singular)
		case n.Kind == on.Kind || n.Kind == on.ListKind:
			return "KindConflict", fmt.Sprintf("%q is already in use", n.Kind)
		case n.ListKind == on.ListKind || n.ListKind == on.Kind:
			return "ListKindConflict", fmt.Sprintf("%q is already in use", n.ListKind)
		}
		for _, sn := range n.ShortNames {
			if slices.Contains(on.ShortNames, sn) || sn == on.Plural || sn == on.Singular {
				return "ShortNamesConflict", fmt.Sprintf("%q is already in use", sn)
			}
		}
	}
	return "", ""
}

// setCRDCondition sets one condition, moving its transition time only when
// its status changes.
func setCRDCondition(crd *api.CustomResourceDefinition, typ string, status api.ConditionStatus, reason, msg string, now time.Time) {
	c := crd.Status.Condition(typ)
	if c == nil {
		crd.Status.Conditions = append(crd.Status.Conditions, api.CustomResourceDefinitionCondition{Type: typ})
		c = &crd.Status.Conditions[len(crd.Status.Conditions)-1]
	}
	if c.Status != status || c.LastTransitionTime == nil {
		c.LastTransitionTime = api.NewTime(now)
	}
	c.Status, c.Reason, c.Message = status, reason, msg
}
