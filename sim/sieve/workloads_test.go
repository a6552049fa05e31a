package sieve

import (
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller/cronjob"
	"github.com/tinykube/tinykube/core/controller/daemonset"
	"github.com/tinykube/tinykube/core/controller/deployment"
	"github.com/tinykube/tinykube/core/controller/garbagecollector"
	"github.com/tinykube/tinykube/core/controller/job"
	"github.com/tinykube/tinykube/core/controller/manager"
	"github.com/tinykube/tinykube/core/controller/replicaset"
	"github.com/tinykube/tinykube/core/controller/statefulset"
	"github.com/tinykube/tinykube/sim"
)

func recorder(p *sim.Process, component string) *client.Recorder {
	return client.NewRecorder(p.Loop(), p.Client(), component, "")
}

func deploymentCase(cfg deployment.Config) Case {
	return Case{
		Name: "deployment",
		Objects: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 1}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx:1}]}
`,
		// A rollout while the first one may still be under way.
		Script: []Step{{At: 10 * time.Second, Do: update("default", "web", func(d *api.Deployment) {
			d.Spec.Template.Spec.Containers[0].Image = "nginx:2"
		})}},
		Controller: func(w *sim.World, p *sim.Process) {
			c := cfg
			c.Loop, c.Client, c.Recorder = p.Loop(), p.Client(), recorder(p, "deployment-controller")
			deployment.New(c).Start()
		},
		Helpers: func(w *sim.World, p *sim.Process) {
			replicaset.New(replicaset.Config{Loop: p.Loop(), Client: p.Client(), Recorder: recorder(p, "replicaset-controller")}).Start()
			(&PodDriver{}).Start(p)
		},
		Anonymous: []string{"pods"},
		Want: all(want("pods/default/", 3, `"image": "nginx:2"`, `"phase": "Running"`), want("pods/default/", 3),
			want("replicasets/default/web-", 2), want("deployments/default/web", 1, `"updatedReplicas": 3`, `"availableReplicas": 3`)),
	}
}

func TestDeployment(t *testing.T) {
	t.Parallel()
	Check(t, deploymentCase(deployment.Config{}))
}

func statefulSetCase() Case {
	return Case{
		Name: "statefulset",
		Objects: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 3
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: postgres:1}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`,
		Script: []Step{
			{At: 20 * time.Second, Do: update("default", "db", func(s *api.StatefulSet) { s.Spec.Replicas = ptr(int32(4)) })},
			{At: 35 * time.Second, Do: update("default", "db", func(s *api.StatefulSet) { s.Spec.Replicas = ptr(int32(2)) })},
		},
		Controller: func(w *sim.World, p *sim.Process) {
			statefulset.New(statefulset.Config{Loop: p.Loop(), Client: p.Client(), Recorder: recorder(p, "statefulset-controller")}).Start()
		},
		Helpers: func(w *sim.World, p *sim.Process) { (&PodDriver{}).Start(p) },
		Want: all(want("pods/default/db-", 2, `"phase": "Running"`), want("persistentvolumeclaims/default/data-db-", 4),
			want("statefulsets/default/db", 1, `"readyReplicas": 2`)),
	}
}

func TestStatefulSet(t *testing.T) {
	t.Parallel()
	Check(t, statefulSetCase())
}

func daemonSetCase(cfg daemonset.Config) Case {
	return Case{
		Name:  "daemonset",
		Setup: readyNodes("n1", "n2", "n3"),
		Objects: `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: c, image: agent:1}]}
`,
		Script: []Step{{At: 15 * time.Second, Do: update("default", "agent", func(d *api.DaemonSet) {
			d.Spec.Template.Spec.Containers[0].Image = "agent:2"
		})}},
		Controller: func(w *sim.World, p *sim.Process) {
			c := cfg
			c.Loop, c.Client, c.Recorder = p.Loop(), p.Client(), recorder(p, "daemonset-controller")
			daemonset.New(c).Start()
		},
		Helpers:   func(w *sim.World, p *sim.Process) { (&PodDriver{}).Start(p) },
		Anonymous: []string{"pods"},
		Want: all(want("pods/default/", 3), want("pods/default/", 3, `"image": "agent:2"`, `"phase": "Running"`),
			want("daemonsets/default/agent", 1, `"numberReady": 3`, `"updatedNumberScheduled": 3`)),
	}
}

func TestDaemonSet(t *testing.T) {
	t.Parallel()
	Check(t, daemonSetCase(daemonset.Config{}))
}

func jobCase(start manager.Starter) Case {
	return Case{
		Name: "job",
		Objects: `
apiVersion: batch/v1
kind: Job
metadata: {name: work}
spec:
  completions: 4
  parallelism: 2
  template:
    spec: {restartPolicy: Never, containers: [{name: c, image: busybox:1}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: flaky}
spec:
  backoffLimit: 1
  template:
    metadata: {annotations: {sieve.tinykube.io/exit: "1"}}
    spec: {restartPolicy: Never, containers: [{name: c, image: busybox:1}]}
`,
		Controller: func(w *sim.World, p *sim.Process) {
			start(manager.Config{Loop: p.Loop(), Client: p.Client(), Recorder: recorder(p, "job-controller")})
		},
		Helpers:   func(w *sim.World, p *sim.Process) { (&PodDriver{}).Start(p) },
		Anonymous: []string{"pods"},
		Want: all(want("jobs/default/work", 1, `"succeeded": 4`, `"type": "Complete"`), want("jobs/default/flaky", 1, `"failed": 2`, `"type": "Failed"`),
			want("pods/default/<Job/work>", 4, `"phase": "Succeeded"`), want("pods/default/<Job/flaky>", 2, `"phase": "Failed"`)),
	}
}

func TestJob(t *testing.T) {
	t.Parallel()
	Check(t, jobCase(manager.Lookup("job")))
}

func cronJobCase() Case {
	return Case{
		Name: "cronjob",
		// Slots at 1m and 2m. Forbid's Job of 1m runs for 75s, so its slot
		// of 2m waits and starts (late, as the most recent missed slot)
		// once that Job is done.
		Duration: 150 * time.Second,
		Objects: `
apiVersion: batch/v1
kind: CronJob
metadata: {name: every-minute}
spec:
  schedule: "* * * * *"
  successfulJobsHistoryLimit: 1
  jobTemplate:
    spec:
      template:
        spec: {restartPolicy: Never, containers: [{name: c, image: busybox:1}]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: forbid}
spec:
  schedule: "* * * * *"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      template:
        metadata: {annotations: {sieve.tinykube.io/run-for: 75s}}
        spec: {restartPolicy: Never, containers: [{name: c, image: busybox:1}]}
`,
		Controller: func(w *sim.World, p *sim.Process) {
			cronjob.New(cronjob.Config{Loop: p.Loop(), Client: p.Client(), Recorder: recorder(p, "cronjob-controller"), Zones: cronjob.FixedZones}).Start()
		},
		Helpers: func(w *sim.World, p *sim.Process) {
			job.New(job.Config{Loop: p.Loop(), Client: p.Client(), Recorder: recorder(p, "job-controller")}).Start()
			garbagecollector.New(garbagecollector.Config{Loop: p.Loop(), Client: p.Client()}).Start()
			(&PodDriver{}).Start(p)
		},
		Anonymous: []string{"pods"},
		Want: all(want("jobs/default/every-minute-", 1, `"succeeded": 1`), want("jobs/default/forbid-", 1, `"succeeded": 1`),
			want("jobs/default/forbid-", 1, `"active": 1`), want("pods/default/", 3)),
	}
}

func TestCronJob(t *testing.T) {
	t.Parallel()
	Check(t, cronJobCase())
}
