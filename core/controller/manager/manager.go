package manager

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/clusterautoscaler"
	"github.com/tinykube/tinykube/core/controller/crdcleanup"
	"github.com/tinykube/tinykube/core/controller/cronjob"
	"github.com/tinykube/tinykube/core/controller/csrapproving"
	"github.com/tinykube/tinykube/core/controller/daemonset"
	"github.com/tinykube/tinykube/core/controller/deployment"
	"github.com/tinykube/tinykube/core/controller/disruption"
	"github.com/tinykube/tinykube/core/controller/endpoints"
	"github.com/tinykube/tinykube/core/controller/garbagecollector"
	"github.com/tinykube/tinykube/core/controller/job"
	"github.com/tinykube/tinykube/core/controller/namespace"
	"github.com/tinykube/tinykube/core/controller/node"
	"github.com/tinykube/tinykube/core/controller/podautoscaler"
	"github.com/tinykube/tinykube/core/controller/replicaset"
	"github.com/tinykube/tinykube/core/controller/serviceaccount"
	"github.com/tinykube/tinykube/core/controller/servicelb"
	"github.com/tinykube/tinykube/core/controller/statefulset"
	"github.com/tinykube/tinykube/core/controller/volumebinder"
	"github.com/tinykube/tinykube/core/loop"
)

// Config is what the controller manager needs from its world: where its
// controllers run, how they reach the API, and the few settings that
// differ between worlds. Hooks replace parts of the controllers.
type Config struct {
	Loop     loop.Loop
	Client   *client.Client
	Recorder *client.Recorder

	// NodeGracePeriod and EvictionTimeout are the node controller's (see
	// node.Config; zero: its defaults).
	NodeGracePeriod, EvictionTimeout time.Duration
	// Zones resolves CronJobs' spec.timeZone (nil: cronjob.FixedZones;
	// real servers pass time.LoadLocation).
	Zones func(name string) (*time.Location, error)
	// LoadBalancers gives Services of type LoadBalancer their addresses.
	// Required: a servicelb.Provider such as servicelb.NewPoolProvider's.
	LoadBalancers servicelb.Provider
	// RootCAPEM is the cluster CA's certificate (PEM), which the root CA
	// publisher puts in every namespace's kube-root-ca.crt ConfigMap for
	// pods to check the API server with. Empty: no publisher runs (a
	// cluster without TLS has no CA to publish).
	RootCAPEM []byte
	// CloudProvider is the cloud the cluster autoscaler grows and shrinks
	// node groups in; Autoscaling its settings (zero: Kubernetes'
	// defaults). Nil: no cluster autoscaler runs.
	CloudProvider clusterautoscaler.CloudProvider
	Autoscaling   clusterautoscaler.Options

	Hooks Hooks
}

// Hooks are the seams through which a lab runs a student's answer inside
// the real controllers, and the simulator runs a deliberately broken
// variant or a controller of your own. The zero Hooks changes nothing.
type Hooks struct {
	// ReplicaSetDiff replaces replicaset.Diff (lab 06).
	ReplicaSetDiff func(rs *api.ReplicaSet, owned []*api.Pod) (create int, victims []*api.Pod)
	// RollingStep replaces deployment.RollingStep (lab 09).
	RollingStep func(d *api.Deployment, newRS *api.ReplicaSet, olds []*api.ReplicaSet) (newReplicas int32, oldReplicas []int32)
	// NodeAssess replaces node.Assess (lab 07).
	NodeAssess func(node.HealthView) node.Verdict
	// CronJobAdmit replaces cronjob.Admit: what a due run does about the
	// Jobs still active.
	CronJobAdmit func(cj *api.CronJob, active []*api.Job) cronjob.Admission
	// VolumeMatch replaces volumebinder.Match: which volume a claim
	// binds to (lab 15).
	VolumeMatch func(c *api.PersistentVolumeClaim, volumes []*api.PersistentVolume, node *api.Node) *api.PersistentVolume
	// Autoscaler replaces steps of the HorizontalPodAutoscaler
	// controller (podautoscaler.Hooks: the formula, the window, the
	// limits), for lab 19 and the simulator's broken variants.
	Autoscaler podautoscaler.Hooks
	// Replace runs other code in place of the roster's controllers of
	// these names. Every key must name a controller of the Roster.
	Replace map[string]Starter
}

// A Starter starts one controller on cfg.Loop and returns it running.
type Starter func(cfg Config) Running

// Running is a started controller.
type Running interface{ Stop() }

// Controller is one entry of the roster.
type Controller struct {
	Name  string
	Start Starter
}

// Roster is every controller the controller manager runs, in the order it
// starts them. It is the one list: the simulator's controller managers and
// the real servers' both start it through Start, so a new controller is
// added here and nowhere else. (The order is part of the simulator's
// determinism: moving an entry changes every trace.)
var Roster = []Controller{
	{"replicaset", func(cfg Config) Running {
		return started(replicaset.New(replicaset.Config{Loop: cfg.Loop, Client: cfg.Client, Recorder: cfg.Recorder, Diff: cfg.Hooks.ReplicaSetDiff}))
	}},
	{"endpoints", func(cfg Config) Running {
		return started(endpoints.New(endpoints.Config{Loop: cfg.Loop, Client: cfg.Client, Recorder: cfg.Recorder}))
	}},
	{"deployment", func(cfg Config) Running {
		return started(deployment.New(deployment.Config{Loop: cfg.Loop, Client: cfg.Client, Recorder: cfg.Recorder, RollingStep: cfg.Hooks.RollingStep}))
	}},
	{"garbagecollector", func(cfg Config) Running {
		return started(garbagecollector.New(garbagecollector.Config{Loop: cfg.Loop, Client: cfg.Client, Recorder: cfg.Recorder}))
	}},
	{"cronjob", func(cfg Config) Running {
		return started(cronjob.New(cronjob.Config{Loop: cfg.Loop, Client: cfg.Client, Recorder: cfg.Recorder, Zones: cfg.Zones, Admit: cfg.Hooks.CronJobAdmit}))
	}},
	{"job", func(cfg Config) Running {
		return started(job.New(job.Config{Loop: cfg.Loop, Client: cfg.Client, Recorder: cfg.Recorder}))
	}},
	{"daemonset", func(cfg Config) Running {
		return started(daemonset.New(daemonset.Config{Loop: cfg.Loop, Client: cfg.Client, Recorder: cfg.Recorder}))
	}},
	{"statefulset", func(cfg Config) Running {
		return started(statefulset.New(statefulset.Config{Loop: cfg.Loop, Client: cfg.Client, Recorder: cfg.Recorder}))
	}},
	{"node", func(cfg Config) Running {
		return started(node.New(node.Config{Loop: cfg.Loop, Client: cfg.Client, Recorder: cfg.Recorder,
			GracePeriod: cfg.NodeGracePeriod, EvictionTimeout: cfg.EvictionTimeout, Assess: cfg.Hooks.NodeAssess}))
	}},
	{"servicelb", func(cfg Config) Running {
		return started(servicelb.New(servicelb.Config{Loop: cfg.Loop, Client: cfg.Client, Recorder: cfg.Recorder, Provider: cfg.LoadBalancers}))
	}},
	{"disruption", func(cfg Config) Running {
		return started(disruption.New(disruption.Config{Loop: cfg.Loop, Client: cfg.Client, Recorder: cfg.Recorder}))
	}},
	{"namespace", func(cfg Config) Running {
		return started(namespace.New(namespace.Config{Loop: cfg.Loop, Client: cfg.Client}))
	}},
	{"persistentvolume-binder", func(cfg Config) Running {
		return started(volumebinder.New(volumebinder.Config{Loop: cfg.Loop, Client: cfg.Client, Recorder: cfg.Recorder, Match: cfg.Hooks.VolumeMatch}))
	}},
	{"serviceaccount", func(cfg Config) Running {
		return started(serviceaccount.NewAccounts(serviceaccount.Config{Loop: cfg.Loop, Client: cfg.Client}))
	}},
	{"root-ca-cert-publisher", func(cfg Config) Running {
		if len(cfg.RootCAPEM) == 0 {
			return notRunning{}
		}
		return started(serviceaccount.NewRootCA(serviceaccount.Config{Loop: cfg.Loop, Client: cfg.Client}, cfg.RootCAPEM))
	}},
	{"csrapproving", func(cfg Config) Running {
		return started(csrapproving.New(csrapproving.Config{Loop: cfg.Loop, Client: cfg.Client}))
	}},
	{"horizontal-pod-autoscaler", func(cfg Config) Running {
		return started(podautoscaler.New(podautoscaler.Config{Loop: cfg.Loop, Client: cfg.Client, Recorder: cfg.Recorder, Hooks: cfg.Hooks.Autoscaler}))
	}},
	// Kubernetes runs this one in its apiextensions API server (the "CRD
	// finalizer"), not in kube-controller-manager; the name is tinykube's.
	{"customresourcecleanup", func(cfg Config) Running {
		return started(crdcleanup.New(crdcleanup.Config{Loop: cfg.Loop, Client: cfg.Client}))
	}},
	// Kubernetes runs it as a program of its own (one Deployment per
	// cluster); here it is one more controller, started only when a
	// cloud is configured, so that only the elected controller manager
	// scales.
	{"cluster-autoscaler", func(cfg Config) Running {
		if cfg.CloudProvider == nil {
			return notRunning{}
		}
		return started(clusterautoscaler.New(clusterautoscaler.Config{Loop: cfg.Loop, Client: cfg.Client, Recorder: cfg.Recorder,
			Provider: cfg.CloudProvider, Options: cfg.Autoscaling}))
	}},
}

// notRunning stands for a controller that its Config turned off.
type notRunning struct{}

func (notRunning) Stop() {}

// Start starts every controller of the Roster on cfg.Loop, in order, each
// replaced where cfg.Hooks.Replace says, and returns them by name.
//
// Contract: called on cfg.Loop. It fails, starting nothing, when a
// replacement names no controller of the Roster or no load-balancer
// provider is given.
func Start(cfg Config) (map[string]Running, error) {
	if err := Check(cfg.Hooks); err != nil {
		return nil, err
	}
	if cfg.LoadBalancers == nil {
		return nil, fmt.Errorf("controller manager: no LoadBalancers provider (see servicelb.NewPoolProvider)")
	}
	out := make(map[string]Running, len(Roster))
	for _, c := range Roster {
		start := c.Start
		if r, ok := cfg.Hooks.Replace[c.Name]; ok {
			start = r
		}
		out[c.Name] = start(cfg)
	}
	return out, nil
}

// Check reports a replacement that names no controller of the Roster.
func Check(h Hooks) error {
	for _, name := range slices.Sorted(maps.Keys(h.Replace)) {
		if Lookup(name) == nil {
			return fmt.Errorf("controller manager: no controller %q to replace (the roster: %v)", name, Names())
		}
	}
	return nil
}

// Lookup returns the roster's controller called name, or nil.
func Lookup(name string) Starter {
	for _, c := range Roster {
		if c.Name == name {
			return c.Start
		}
	}
	return nil
}

// Names lists the roster's controllers in start order.
func Names() []string {
	out := make([]string, len(Roster))
	for i, c := range Roster {
		out[i] = c.Name
	}
	return out
}

// starter is what every controller of the roster is: made by New, then
// started.
type starter interface {
	Running
	Start()
}

func started(c starter) Running {
	c.Start()
	return c
}
