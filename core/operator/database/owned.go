package database

import (
	"context"
	"maps"
	"slices"

	"github.com/tinykube/tinykube/core/api"
)

// ownerRef is the controller reference every object the operator makes
// carries: the garbage collector deletes them with the Database, and
// kubectl shows who made them.
func ownerRef(db *Database) api.OwnerReference {
	yes := true
	return api.OwnerReference{APIVersion: APIVersion, Kind: Kind, Name: db.Name, UID: db.UID, Controller: &yes, BlockOwnerDeletion: &yes}
}

// ownedMeta is the metadata of an object the operator makes for db.
func ownedMeta(db *Database, name string) api.ObjectMeta {
	return api.ObjectMeta{Name: name, Namespace: db.Namespace, Labels: map[string]string{DatabaseLabel: db.Name},
		OwnerReferences: []api.OwnerReference{ownerRef(db)}}
}

// ensureOwned creates what db needs and is missing from the caches, and
// updates what drifted from its spec. A create that meets an object the
// cache did not show yet (AlreadyExists) is success: the next run sees it.
func (c *Controller) ensureOwned(ctx context.Context, db *Database) error {
	ns := db.Namespace
	if cm, ok := c.cmCache.Get(ns, configName(db.Name)); !ok {
		want := &api.ConfigMap{ObjectMeta: ownedMeta(db, configName(db.Name)), Data: db.Spec.Config}
		if _, err := c.configMaps.Create(ctx, want, writeOpts); ignoreExists(err) != nil {
			return err
		}
	} else if !maps.Equal(cm.Data, db.Spec.Config) {
		next := api.DeepCopy(cm)
		next.Data = db.Spec.Config
		if _, err := c.configMaps.Update(ctx, next, writeOpts); err != nil {
			return err
		}
	}
	for _, svc := range []*api.Service{headlessService(db), clientService(db)} {
		if _, ok := c.svcCache.Get(ns, svc.Name); ok {
			continue // services never change with the spec
		}
		if _, err := c.services.Create(ctx, svc, writeOpts); ignoreExists(err) != nil {
			return err
		}
	}
	want := statefulSet(db)
	set, ok := c.setCache.Get(ns, db.Name)
	if !ok {
		_, err := c.sets.Create(ctx, want, writeOpts)
		return ignoreExists(err)
	}
	if setMatches(set, want) {
		return nil
	}
	next := api.DeepCopy(set)
	next.Spec.Replicas = want.Spec.Replicas
	next.Spec.Template.Spec.Containers = want.Spec.Template.Spec.Containers
	_, err := c.sets.Update(ctx, next, writeOpts)
	return err
}

// headlessService gives every pod of db a stable DNS name, ready or not
// (the catalog records the primary's).
func headlessService(db *Database) *api.Service {
	return &api.Service{ObjectMeta: ownedMeta(db, headlessName(db.Name)), Spec: api.ServiceSpec{
		ClusterIP: "None", Selector: map[string]string{DatabaseLabel: db.Name}, PublishNotReadyAddresses: true,
		Ports: []api.ServicePort{{Name: "db", Port: Port, TargetPort: api.FromInt(Port)}}}}
}

// clientService is what clients dial: it selects the primary only.
func clientService(db *Database) *api.Service {
	return &api.Service{ObjectMeta: ownedMeta(db, db.Name), Spec: api.ServiceSpec{
		Selector: map[string]string{DatabaseLabel: db.Name, RoleLabel: RolePrimary},
		Ports:    []api.ServicePort{{Name: "db", Port: Port, TargetPort: api.FromInt(Port)}}}}
}

// statefulSet is the StatefulSet db asks for: its pods are the database's
// members, ordinal 0 … replicas-1, started in parallel (the operator, not
// the StatefulSet's ordering, decides who is primary).
func statefulSet(db *Database) *api.StatefulSet {
	replicas := db.replicas()
	labels := map[string]string{DatabaseLabel: db.Name}
	return &api.StatefulSet{ObjectMeta: ownedMeta(db, db.Name), Spec: api.StatefulSetSpec{
		Replicas: &replicas, ServiceName: headlessName(db.Name), PodManagementPolicy: api.ParallelPodManagement,
		Selector: &api.LabelSelector{MatchLabels: labels},
		Template: api.PodTemplateSpec{
			ObjectMeta: api.ObjectMeta{Labels: maps.Clone(labels)},
			Spec: api.PodSpec{
				// IfNotPresent: a member restarted on a node that has the
				// image must not depend on a registry being reachable.
				Containers: []api.Container{{Name: "database", Image: db.Spec.Image, Command: slices.Clone(db.Spec.Command),
					ImagePullPolicy: api.PullIfNotPresent,
					Ports:           []api.ContainerPort{{Name: "db", ContainerPort: Port}},
					VolumeMounts:    []api.VolumeMount{{Name: "config", MountPath: "/etc/database"}}}},
				Volumes: []api.Volume{{Name: "config", VolumeSource: api.VolumeSource{
					ConfigMap: &api.ConfigMapVolumeSource{Name: configName(db.Name)}}}},
			},
		},
	}}
}

// setMatches reports whether the StatefulSet has the replicas, image and
// command db asks for (the rest is the operator's and never changes).
func setMatches(set, want *api.StatefulSet) bool {
	if set.Spec.Replicas == nil || *set.Spec.Replicas != *want.Spec.Replicas || len(set.Spec.Template.Spec.Containers) != 1 {
		return false
	}
	have, w := set.Spec.Template.Spec.Containers[0], want.Spec.Template.Spec.Containers[0]
	return have.Image == w.Image && slices.Equal(have.Command, w.Command)
}

// ignoreExists returns nil for an AlreadyExists error, else err.
func ignoreExists(err error) error {
	if api.IsAlreadyExists(err) {
		return nil
	}
	return err
}
