package printers

// Columns of the storage kinds, PersistentVolumes and StorageClasses, as
// kubectl prints them (claims are in columns_workloads.go).

import (
	"strconv"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

var volumeColumns = []Column{
	{Name: "NAME"}, {Name: "CAPACITY"}, {Name: "ACCESS MODES"}, {Name: "RECLAIM POLICY"}, {Name: "STATUS"},
	{Name: "CLAIM"}, {Name: "STORAGECLASS"}, {Name: "REASON"}, {Name: "AGE"}, {Name: "VOLUMEMODE", Wide: true},
}

// volumeRow: CLAIM is the bound (or reserving) claim as namespace/name.
func volumeRow(pv *api.PersistentVolume, now time.Time) Row {
	capacity := ""
	if q, ok := pv.Spec.Capacity[api.ResourceStorage]; ok {
		capacity = q.String()
	}
	claim := ""
	if r := pv.Spec.ClaimRef; r != nil {
		claim = r.Namespace + "/" + r.Name
	}
	mode := "<unset>"
	if pv.Spec.VolumeMode != nil {
		mode = *pv.Spec.VolumeMode
	}
	return Row{Cells: []string{
		pv.Name, capacity, accessModes(pv.Spec.AccessModes), pv.Spec.PersistentVolumeReclaimPolicy, pv.Status.Phase,
		claim, pv.Spec.StorageClassName, pv.Status.Reason, Age(pv.CreationTimestamp, now), mode,
	}}
}

var storageClassColumns = []Column{
	{Name: "NAME"}, {Name: "PROVISIONER"}, {Name: "RECLAIMPOLICY"}, {Name: "VOLUMEBINDINGMODE"}, {Name: "ALLOWVOLUMEEXPANSION"}, {Name: "AGE"},
}

// storageClassRow marks the default class "(default)" after its name.
func storageClassRow(sc *api.StorageClass, now time.Time) Row {
	name := sc.Name
	if api.IsDefaultClass(sc) {
		name += " (default)"
	}
	reclaim := api.ReclaimDelete
	if sc.ReclaimPolicy != nil {
		reclaim = *sc.ReclaimPolicy
	}
	expand := sc.AllowVolumeExpansion != nil && *sc.AllowVolumeExpansion
	return Row{Cells: []string{name, sc.Provisioner, reclaim, api.BindingMode(sc), strconv.FormatBool(expand), Age(sc.CreationTimestamp, now)}}
}
