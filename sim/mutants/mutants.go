package mutants

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller/cronjob"
	"github.com/tinykube/tinykube/core/controller/localpath"
	"github.com/tinykube/tinykube/core/controller/manager"
	"github.com/tinykube/tinykube/core/operator/database"
	"github.com/tinykube/tinykube/core/proxy"
	"github.com/tinykube/tinykube/core/scheduler"
)

// A Mutant is one deliberate mistake and the seams it plugs into. Only
// the fields it needs are set; the simulator applies them all.
type Mutant struct {
	// Name is what a scenario's cluster.broken says.
	Name string
	// Mistake says in a sentence what the broken component does wrong.
	Mistake string
	// CaughtBy names the invariant that must catch it.
	CaughtBy string

	// Schedule replaces the scheduler's choice of a node.
	Schedule func(pod *api.Pod, nodes []*scheduler.NodeInfo, scoring string, r *rand.Rand) (string, *scheduler.FitError)
	// RollingStep replaces the Deployment controller's rolling step.
	RollingStep func(d *api.Deployment, newRS *api.ReplicaSet, olds []*api.ReplicaSet) (int32, []int32)
	// CronJobAdmit replaces the CronJob controller's concurrency decision.
	CronJobAdmit func(cj *api.CronJob, active []*api.Job) cronjob.Admission
	// Controllers replace controllers of the controller manager's roster,
	// by name.
	Controllers map[string]manager.Starter
	// ProxyInstall decides what a node's service proxy installs, given
	// the table installed on the machine (nil: none) and the one the proxy
	// computed; the real proxy installs next.
	ProxyInstall func(installed, next *proxy.Table) *proxy.Table
	// CacheServesConsistentReads makes every simulated API server answer
	// reads with resourceVersion "" from its lagging watch cache, where
	// the API promises the latest state (sim.ServerConfig).
	CacheServesConsistentReads bool
	// Provisioner starts each node's local-path provisioner in place of
	// localpath.Start.
	Provisioner func(cfg localpath.Config) Stopper
	// Setup changes the cluster's own objects through the API, as the
	// admin, once the API server has bootstrapped them and before any
	// process starts: a component's role with a permission taken out.
	Setup func(ctx context.Context, admin *client.Client) error
	// Database replaces parts of the database operator (scenarios with
	// operators: [database]).
	Database *database.Hooks
}

// A Stopper is a started component a mutant put in place of a real one.
type Stopper interface{ Stop() }

// All are the mutants, by name.
var All = []*Mutant{
	{
		Name:     "scheduler-ignores-assumed-pods",
		Mistake:  "the scheduler counts only the pods its informer shows bound, not the ones it just bound itself, so two pods scheduled in quick succession both take the last room on a node",
		CaughtBy: "node-capacity",
		Schedule: ignoreAssumedPods,
	},
	{
		Name:         "proxy-ignores-removals",
		Mistake:      "node proxies add backends but never drop one, as if the Backend only ever inserted rules: traffic still goes to deleted pods",
		CaughtBy:     "service-routing",
		ProxyInstall: keepRemoved,
	},
	{
		Name:        "deployment-assumes-available",
		Mistake:     "the Deployment controller counts the replicas a ReplicaSet asks for as available, ready or not, and takes old pods down faster than maxUnavailable allows",
		CaughtBy:    "rollout-bounds",
		RollingStep: assumeAvailable,
	},
	{
		Name:         "cronjob-ignores-forbid",
		Mistake:      "the CronJob controller treats concurrencyPolicy Forbid as Allow and starts a run while the last one is still active",
		CaughtBy:     "cronjob-forbid",
		CronJobAdmit: ignoreForbid,
	},
	{
		Name:        "job-counts-without-tracking",
		Mistake:     "the Job controller adds the finished pods its cache shows to the counts and then deletes them, without the uncounted/finalizer protocol: a lost answer or a restart between the two counts a pod twice",
		CaughtBy:    "job-completions",
		Controllers: map[string]manager.Starter{"job": startNaiveJob},
	},
	{
		Name:        "daemonset-ignores-existing",
		Mistake:     "the DaemonSet controller creates a pod for every node whose pod its cache does not show, without waiting for the ones it created to show up, and with generated names the API server cannot refuse",
		CaughtBy:    "daemonset-one-per-node",
		Controllers: map[string]manager.Starter{"daemonset": startNaiveDaemonSet},
	},
	{
		Name:        "statefulset-replaces-on-notready",
		Mistake:     "the StatefulSet's pods are force-deleted as soon as their node is not Ready, so the ordinal is recreated elsewhere while its containers may still run on a partitioned node",
		CaughtBy:    "statefulset-ordinals",
		Controllers: map[string]manager.Starter{"statefulset": startReplacingStatefulSet},
	},
	{
		Name:        "disruption-ignores-budget",
		Mistake:     "the disruption controller counts every healthy pod as a disruption allowed, ignoring the budget's minimum, so evictions during a drain take the pods below minAvailable",
		CaughtBy:    "pdb-eviction",
		Controllers: map[string]manager.Starter{"disruption": startBudgetBlindDisruption},
	},
	{
		Name:        "binder-takes-bound-volumes",
		Mistake:     "the volume binder's matching step ignores a volume's claimRef, so a claim can be given a volume already bound to another claim",
		CaughtBy:    "pv-single-claim",
		Controllers: map[string]manager.Starter{"persistentvolume-binder": startGreedyBinder},
	},
	{
		Name:        "provisioner-sweeps-retained",
		Mistake:     "each node's local-path provisioner removes the directory of every Released volume of its node, ignoring reclaimPolicy Retain",
		CaughtBy:    "retain-keeps-data",
		Provisioner: startSweepingProvisioner,
	},
	{
		Name:     "controller-manager-role-lacks-delete-pods",
		Mistake:  "the controller manager's ClusterRole is missing one verb, delete on pods, as a role written by hand from the controllers one remembers easily is: a ReplicaSet scaled down (a rolling update's old one) cannot remove its pods",
		CaughtBy: "components-authorized",
		Setup:    takePermission(auth.KubeControllerManager, "delete", "", "pods"),
	},
	{
		Name:                       "apiserver-serves-consistent-reads-from-cache",
		Mistake:                    "the API servers answer reads with resourceVersion \"\" (which promise the latest state) from their lagging watch caches",
		CaughtBy:                   "linearizable",
		CacheServesConsistentReads: true,
	},
}

// Lookup returns the mutant called name, or an error listing the known
// ones.
func Lookup(name string) (*Mutant, error) {
	for _, m := range All {
		if m.Name == name {
			return m, nil
		}
	}
	return nil, fmt.Errorf("unknown mutant %q (known: %s)", name, strings.Join(Names(), ", "))
}

// Names lists the mutants' names.
func Names() []string {
	out := make([]string, len(All))
	for i, m := range All {
		out[i] = m.Name
	}
	return out
}
