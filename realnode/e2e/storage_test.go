package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// dataPod is a pod that mounts claim at /data and runs script.
func dataPod(name, claim, script string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: %s, labels: {app: %s}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    imagePullPolicy: IfNotPresent
    command: [sh, -c, %q]
    volumeMounts: [{name: data, mountPath: /data}]
  volumes:
  - name: data
    persistentVolumeClaim: {claimName: %s}
`, name, name, script, claim)
}

// boundVolume waits for claim to be bound and returns its volume.
func (c *cluster) boundVolume(claim string) *api.PersistentVolume {
	c.t.Helper()
	var pv *api.PersistentVolume
	c.eventually("claim "+claim+" bound", 60*time.Second, func() (bool, string) {
		pvc, err := client.For[*api.PersistentVolumeClaim](c.client).Get(context.Background(), "default", claim)
		if err != nil {
			return false, err.Error()
		}
		if pvc.Status.Phase != api.ClaimBound {
			return false, fmt.Sprintf("phase %q", pvc.Status.Phase)
		}
		pv, err = client.For[*api.PersistentVolume](c.client).Get(context.Background(), "", pvc.Spec.VolumeName)
		return err == nil, fmt.Sprint(err)
	})
	return pv
}

// A claim of the default class (and one of a Retain class) is
// provisioned on the node its pod is scheduled to and bound; what one pod writes the next pod on the claim
// reads; deleting the claim removes the directory under reclaim Delete and
// keeps it under Retain.
func TestPersistentVolumeOutlivesItsPods(t *testing.T) {
	c := newCluster(t)
	c.startAgent(nodeA)
	for _, policy := range []string{"Delete", "Retain"} {
		t.Run(policy, func(t *testing.T) {
			claim := "data-" + strings.ToLower(policy)
			if policy == "Delete" {
				// The default class: standard, local-path, Delete.
				c.apply(fmt.Sprintf(`apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: %s}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
`, claim))
			} else {
				c.apply(fmt.Sprintf(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: keep}
provisioner: tinykube.io/local-path
reclaimPolicy: Retain
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: %s}
spec:
  storageClassName: keep
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
`, claim))
			}
			writer, reader := "writer-"+strings.ToLower(policy), "reader-"+strings.ToLower(policy)
			c.apply(dataPod(writer, claim, "echo kept > /data/note; sleep 3600"))
			c.running("app="+writer, 1)
			pv := c.boundVolume(claim)
			if pv.Spec.Local == nil || pv.Spec.PersistentVolumeReclaimPolicy != policy {
				t.Fatalf("provisioned volume %+v: want a local volume with reclaim %s", pv.Spec, policy)
			}
			dir := pv.Spec.Local.Path
			c.eventually("the writer's file on the node", 30*time.Second, func() (bool, string) {
				b, err := os.ReadFile(dir + "/note")
				return err == nil && string(b) == "kept\n", fmt.Sprintf("%q %v", b, err)
			})
			pods := client.For[*api.Pod](c.client)
			if _, err := pods.Delete(context.Background(), "default", writer, client.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
			c.eventually("the writer gone", 30*time.Second, func() (bool, string) {
				return len(c.pods("app="+writer)) == 0, "still there"
			})
			c.apply(dataPod(reader, claim, "cat /data/note; sleep 3600"))
			p := c.running("app="+reader, 1)[0]
			c.eventually("the reader to read what the writer wrote", 30*time.Second, func() (bool, string) {
				out, _ := c.execIn(p.Name, "main", "cat /data/note")
				return strings.TrimSpace(out) == "kept", fmt.Sprintf("read %q", out)
			})
			if _, err := pods.Delete(context.Background(), "default", reader, client.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := client.For[*api.PersistentVolumeClaim](c.client).Delete(context.Background(), "default", claim, client.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
			switch policy {
			case "Delete":
				c.eventually("the volume and its directory deleted", 60*time.Second, func() (bool, string) {
					_, err := client.For[*api.PersistentVolume](c.client).Get(context.Background(), "", pv.Name)
					_, statErr := os.Stat(dir)
					return api.IsNotFound(err) && os.IsNotExist(statErr), fmt.Sprintf("volume: %v, directory: %v", err, statErr)
				})
			case "Retain":
				c.eventually("the volume released", 60*time.Second, func() (bool, string) {
					got, err := client.For[*api.PersistentVolume](c.client).Get(context.Background(), "", pv.Name)
					if err != nil {
						return false, err.Error()
					}
					return got.Status.Phase == "Released", got.Status.Phase
				})
				if b, err := os.ReadFile(dir + "/note"); err != nil || string(b) != "kept\n" {
					t.Errorf("a Retain volume's data is gone: %q %v", b, err)
				}
			}
		})
	}
}

// A StatefulSet of 2 with a volumeClaimTemplate: each ordinal writes its
// name to its own volume; after its pod is deleted, the replacement reads
// it back.
func TestStatefulSetOrdinalKeepsItsData(t *testing.T) {
	c := newCluster(t)
	c.startAgent(nodeA)
	c.apply(`apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: busybox
        imagePullPolicy: IfNotPresent
        command: [sh, -c, "[ -f /data/name ] || hostname > /data/name; sleep 3600"]
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
`)
	c.running("app=db", 2)
	read := func(pod string) string {
		var out string
		c.eventually(pod+" to read its data", 30*time.Second, func() (bool, string) {
			o, code := c.execIn(pod, "main", "cat /data/name")
			out = strings.TrimSpace(o)
			return code == 0 && out != "", fmt.Sprintf("exit %d %q", code, o)
		})
		return out
	}
	for _, pod := range []string{"db-0", "db-1"} {
		if got := read(pod); got != pod {
			t.Fatalf("%s wrote %q, want its own name", pod, got)
		}
	}
	old := c.pods("app=db")
	if _, err := client.For[*api.Pod](c.client).Delete(context.Background(), "default", "db-1", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	c.eventually("db-1 replaced", 60*time.Second, func() (bool, string) {
		for _, p := range c.pods("app=db") {
			if p.Name == "db-1" && p.Status.Phase == api.PodRunning {
				for _, o := range old {
					if o.Name == "db-1" && o.UID != p.UID {
						return true, ""
					}
				}
			}
		}
		return false, "not yet"
	})
	if got := read("db-1"); got != "db-1" {
		t.Errorf("the replacement of db-1 read %q, want what its predecessor wrote", got)
	}
}
