package sieve

import (
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/controller/volumebinder"
	"github.com/tinykube/tinykube/sim"
)

// volumeBinderCase: two administrator-made volumes (1Gi and 5Gi, Retain,
// no node), a claim for 1Gi and one for 2Gi; at 10s the first claim is
// deleted. However the binder is crashed between two of its writes, fed
// stale reads or loses an answer, each claim ends Bound to the smallest
// volume that fits it — never both to one — the deleted claim is gone
// (nothing uses it, so its protection is lifted) and its volume Released
// and kept, and the other volume Bound to the 2Gi claim.
func volumeBinderCase() Case {
	return Case{
		Name: "volumebinder",
		Objects: `
apiVersion: v1
kind: PersistentVolume
metadata: {name: small}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: manual
  hostPath: {path: /srv/small}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: big}
spec:
  capacity: {storage: 5Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: manual
  hostPath: {path: /srv/big}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: a}
spec:
  storageClassName: manual
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: b}
spec:
  storageClassName: manual
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 2Gi}}
`,
		Script: []Step{
			{At: 10 * time.Second, Do: remove[*api.PersistentVolumeClaim]("default", "a", "")},
		},
		Controller: func(w *sim.World, p *sim.Process) {
			volumebinder.New(volumebinder.Config{Loop: p.Loop(), Client: p.Client(), Recorder: recorder(p, "controllermanager")}).Start()
		},
		Want: all(
			want("persistentvolumeclaims/default/a", 0),
			want("persistentvolumeclaims/default/b", 1, `"volumeName": "big"`, `"phase": "Bound"`),
			want("persistentvolumes/small", 1, `"phase": "Released"`),
			want("persistentvolumes/big", 1, `"name": "b"`, `"phase": "Bound"`),
		),
	}
}

func TestVolumeBinder(t *testing.T) {
	t.Parallel()
	Check(t, volumeBinderCase())
}
