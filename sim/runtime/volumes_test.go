package runtime_test

import (
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/sim/runtime"
)

// TestVolumesOutliveWhatTheyShould: what a container writes to an
// emptyDir is read by its next run, and what it writes to a local volume
// is read by the next pod using that directory.
func TestVolumesOutliveWhatTheyShould(t *testing.T) {
	w := newWorld(t)
	w.cfg.BackOffInitial = time.Second
	w.start()
	vols := func(p *api.Pod) {
		p.Spec.Volumes = []api.Volume{
			{Name: "scratch", VolumeSource: api.VolumeSource{EmptyDir: &api.EmptyDirVolumeSource{}}},
			{Name: "data", VolumeSource: api.VolumeSource{HostPath: &api.HostPathVolumeSource{Path: "/srv/data", Type: "DirectoryOrCreate"}}},
		}
		p.Spec.Containers[0].VolumeMounts = []api.VolumeMount{{Name: "scratch", MountPath: "/tmp"}, {Name: "data", MountPath: "/data"}}
	}
	// The first run writes /tmp/mark and exits 1; the second finds it.
	w.createPod("writer", "write-file=/tmp/mark=1,exit=2s,code=1", vols)
	w.run(3 * time.Second)
	w.createPod("checker", "fail-unless-file=/tmp/mark=1", vols)
	w.createPod("saver", "write-file=/data/owner=saver", vols)
	w.run(2 * time.Second)
	if got, _ := w.rt.DiskFile("/srv/data", "owner"); got != "saver" {
		t.Errorf("node file /srv/data/owner = %q, want saver", got)
	}
	// checker's emptyDir is its own, empty: it fails and backs off.
	if cs := w.app("checker"); cs.RestartCount == 0 && cs.State.Running != nil {
		t.Errorf("checker: %+v, want it failing (its emptyDir is not writer's)", cs.State)
	}
	w.createPod("reader", "fail-unless-file=/data/owner=saver", vols)
	w.run(15 * time.Second)
	if cs := w.app("reader"); cs.State.Running == nil || cs.RestartCount != 0 {
		t.Errorf("reader: restarts %d state %+v, want running from the first run (the disk outlives pods)", cs.RestartCount, cs.State)
	}
	var _ kubelet.VolumeRuntime = w.rt
}

// TestEmptyDirIsSharedByThePodsContainers: what an init container writes
// to an emptyDir, the app container reads.
func TestEmptyDirIsSharedByThePodsContainers(t *testing.T) {
	w := newWorld(t)
	w.cfg.BackOffInitial = time.Second
	w.start()
	w.createPod("web", "fail-unless-file=/tmp/mark=1", func(p *api.Pod) {
		p.Spec.Volumes = []api.Volume{{Name: "scratch", VolumeSource: api.VolumeSource{EmptyDir: &api.EmptyDirVolumeSource{}}}}
		p.Spec.InitContainers = []api.Container{{Name: "init", Image: "busybox", VolumeMounts: []api.VolumeMount{{Name: "scratch", MountPath: "/tmp"}}}}
		p.Spec.Containers[0].VolumeMounts = []api.VolumeMount{{Name: "scratch", MountPath: "/tmp"}}
		p.Annotations["sim.tinykube.io/behavior.init"] = "write-file=/tmp/mark=1,exit=1s"
	})
	w.run(5 * time.Second)
	if cs := w.app("web"); cs.State.Running == nil || cs.RestartCount != 0 {
		t.Fatalf("web: restarts %d state %+v, want running: the init container's file is in the shared emptyDir", cs.RestartCount, cs.State)
	}
}

// TestCreateFileKeepsAPredecessorsData: create-file writes only a file
// that is absent, its text expanded from the container's env, so a pod
// that finds another's data keeps it — and fail-unless-file, expanded the
// same way, then fails it — and the file keeps its incarnation.
func TestCreateFileKeepsAPredecessorsData(t *testing.T) {
	w := newWorld(t)
	w.cfg.BackOffInitial = time.Second
	disk := runtime.NewDisk("node-1") // the node's, which outlives this runtime
	w.rt.UseDisk(disk)
	w.start()
	const behavior = "create-file=/data/owner=$(POD_NAME),fail-unless-file=/data/owner=$(POD_NAME)"
	vols := func(p *api.Pod) {
		p.Spec.Volumes = []api.Volume{{Name: "data", VolumeSource: api.VolumeSource{HostPath: &api.HostPathVolumeSource{Path: "/srv/data", Type: "DirectoryOrCreate"}}}}
		p.Spec.Containers[0].VolumeMounts = []api.VolumeMount{{Name: "data", MountPath: "/data"}}
		p.Spec.Containers[0].Env = []api.EnvVar{{Name: "POD_NAME", ValueFrom: &api.EnvVarSource{FieldRef: &api.ObjectFieldSelector{FieldPath: "metadata.name"}}}}
	}
	w.createPod("first", behavior, vols)
	w.run(2 * time.Second)
	got, inc, _ := disk.File("/srv/data", "owner")
	if got != "first" {
		t.Fatalf("/srv/data/owner = %q, want first", got)
	}
	w.createPod("second", behavior, vols)
	w.run(3 * time.Second)
	if cs := w.app("first"); cs.State.Running == nil || cs.RestartCount != 0 {
		t.Errorf("first: restarts %d state %+v, want running", cs.RestartCount, cs.State)
	}
	if cs := w.app("second"); cs.State.Running != nil && cs.RestartCount == 0 {
		t.Errorf("second: running, want it failing: /data/owner holds first's name")
	}
	if again, inc2, _ := disk.File("/srv/data", "owner"); again != "first" || inc2 != inc {
		t.Errorf("/srv/data/owner = %q incarnation %d, want first, %d (kept, not rewritten)", again, inc2, inc)
	}
}
