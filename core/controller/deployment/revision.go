package deployment

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// PodTemplateHashLabel is added to a Deployment's ReplicaSets (their
// labels, selector and pod template): it keeps the pods of two revisions
// apart although both match the Deployment's selector.
const PodTemplateHashLabel = "pod-template-hash"

// RevisionAnnotation numbers a Deployment's templates in the order they
// were rolled out, on the ReplicaSets and on the Deployment (its current
// one). `rollout undo` reads it to find the previous template.
const RevisionAnnotation = "deployment.kubernetes.io/revision"

// safeAlphabet has no vowels (no words by accident) and no 0/1/3 (easily
// misread), as Kubernetes' rand.SafeEncodeString.
const safeAlphabet = "bcdfghjklmnpqrstvwxz2456789"

// TemplateHash is the short, stable name of a pod template: FNV-32a of its
// JSON, its decimal digits spelled in safeAlphabet, as Kubernetes spells
// it (Kubernetes hashes a different dump of the template, so the strings
// differ from a real cluster's). JSON writes map keys sorted, so equal
// templates hash equally.
func TemplateHash(t *api.PodTemplateSpec) string {
	b, err := json.Marshal(t)
	if err != nil {
		// A template that came out of the API server always marshals.
		panic(fmt.Sprintf("deployment: hashing pod template: %v", err))
	}
	h := fnv.New32a()
	h.Write(b)
	digits := strconv.FormatUint(uint64(h.Sum32()), 10)
	out := make([]byte, len(digits))
	for i := range digits {
		out[i] = safeAlphabet[int(digits[i])%len(safeAlphabet)]
	}
	return string(out)
}

// Revision returns obj's revision annotation, 0 when absent or garbled.
func Revision(obj api.Object) int64 {
	v, err := strconv.ParseInt(obj.GetObjectMeta().Annotations[RevisionAnnotation], 10, 64)
	if err != nil {
		return 0
	}
	return v
}

func setRevision(m *api.ObjectMeta, rev int64) {
	if m.Annotations == nil {
		m.Annotations = map[string]string{}
	}
	m.Annotations[RevisionAnnotation] = strconv.FormatInt(rev, 10)
}

// maxRevision is the highest revision among rss (0 for none).
func maxRevision(rss []*api.ReplicaSet) int64 {
	var most int64
	for _, rs := range rss {
		most = max(most, Revision(rs))
	}
	return most
}

// syncDeploymentRevision copies the new ReplicaSet's revision onto d and
// returns d as updated (on error, d unchanged).
func (c *Controller) syncDeploymentRevision(d *api.Deployment, rev int64) (*api.Deployment, error) {
	out := api.DeepCopy(d)
	setRevision(&out.ObjectMeta, rev)
	out, err := client.For[*api.Deployment](c.client).Update(context.Background(), out, client.WriteOptions{})
	if err != nil {
		return d, fmt.Errorf("deployment %s/%s: setting revision %d: %w", d.Namespace, d.Name, rev, err)
	}
	return out, nil
}

// cleanupHistory deletes the oldest revisions beyond
// spec.revisionHistoryLimit. Only old ReplicaSets that are fully scaled
// down (spec and status 0) count as history: one still draining is part of
// the rollout.
func (c *Controller) cleanupHistory(d *api.Deployment, olds []*api.ReplicaSet) error {
	if d.Spec.RevisionHistoryLimit == nil {
		return nil
	}
	var history []*api.ReplicaSet
	for _, rs := range olds {
		if replicasOf(rs) == 0 && rs.Status.Replicas == 0 && rs.DeletionTimestamp == nil {
			history = append(history, rs)
		}
	}
	excess := len(history) - int(*d.Spec.RevisionHistoryLimit)
	if excess <= 0 {
		return nil
	}
	sort.SliceStable(history, func(i, j int) bool { return Revision(history[i]) < Revision(history[j]) })
	for _, rs := range history[:excess] {
		_, err := client.For[*api.ReplicaSet](c.client).Delete(context.Background(), rs.Namespace, rs.Name, client.DeleteOptions{UID: rs.UID})
		if err != nil && !api.IsNotFound(err) {
			return fmt.Errorf("deployment %s/%s: deleting old replica set %s (revision %d): %w", d.Namespace, d.Name, rs.Name, Revision(rs), err)
		}
	}
	return nil
}

// ChangeCauseAnnotation says why a revision was made ("kubectl set image
// …", or whatever the user wrote). The controller copies the
// Deployment's to its current ReplicaSet, where `rollout history` reads it
// for each revision.
const ChangeCauseAnnotation = "kubernetes.io/change-cause"

func changeCause(obj api.Object) string {
	return obj.GetObjectMeta().Annotations[ChangeCauseAnnotation]
}

// setChangeCause sets (or, for "", removes) m's change cause.
func setChangeCause(m *api.ObjectMeta, cause string) {
	if cause == "" {
		delete(m.Annotations, ChangeCauseAnnotation)
		return
	}
	if m.Annotations == nil {
		m.Annotations = map[string]string{}
	}
	m.Annotations[ChangeCauseAnnotation] = cause
}
