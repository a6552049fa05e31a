package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/operator/database"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/sim"
	"github.com/tinykube/tinykube/sim/scenario"
)

// Operators in scenarios: a scenario's `operators: [database]` installs
// each operator's definition and RBAC, runs the operator in its own
// process "operator/NAME" (crashed, cut off, fed stale reads like any
// other: faults name it), and checks the invariants its author declared —
// the safety ones after every step, the settled ones with liveness.

// operatorKind is one operator a scenario may run.
type operatorKind struct {
	// install creates what the operator needs before anything uses it:
	// its CustomResourceDefinition and its role.
	install func(ctx context.Context, admin *client.Client) error
	// start runs the operator in process p.
	start func(c *Cluster, p *sim.Process)
	// user is who the process is.
	user *rest.UserInfo
}

// operatorKinds are the operators, by the name a scenario gives.
var operatorKinds = map[string]operatorKind{
	"database": {install: installDatabase, start: startDatabase,
		user: serviceAccountUser(database.ServiceAccountNamespace, database.ServiceAccountName)},
}

func serviceAccountUser(ns, name string) *rest.UserInfo {
	return &rest.UserInfo{Name: auth.ServiceAccountUserName(ns, name), Groups: auth.ServiceAccountGroups(ns)}
}

// operatorUser returns the user of operator process p, if it is one.
func (c *Cluster) operatorUser(p string) (*rest.UserInfo, bool) {
	name, ok := strings.CutPrefix(p, "operator/")
	if !ok {
		return nil, false
	}
	for _, n := range c.Scenario.Operators {
		if n == name {
			return operatorKinds[name].user, true
		}
	}
	return nil, false
}

func installDatabase(ctx context.Context, admin *client.Client) error {
	if _, err := client.For[*api.CustomResourceDefinition](admin).Create(ctx, database.CRD(), client.WriteOptions{}); err != nil {
		return err
	}
	if _, err := client.For[*api.ClusterRole](admin).Create(ctx, database.ClusterRole(), client.WriteOptions{}); err != nil {
		return err
	}
	_, err := client.For[*api.ClusterRoleBinding](admin).Create(ctx, database.ClusterRoleBinding(), client.WriteOptions{})
	return err
}

func startDatabase(c *Cluster, p *sim.Process) {
	database.New(database.Config{Loop: p.Loop(), Client: p.Client(),
		Recorder: client.NewRecorder(p.Loop(), p.Client(), "database-operator", ""),
		Hooks:    c.plugins.DatabaseHooks}).Start()
}

// addOperators installs and starts the scenario's operators, and checks
// the operators' safety invariants after every step.
func (c *Cluster) addOperators() error {
	if len(c.Scenario.Operators) == 0 {
		return nil
	}
	ctx := context.Background()
	for i, name := range c.Scenario.Operators {
		kind, ok := operatorKinds[name]
		if !ok {
			return fmt.Errorf("operators[%d]: unknown operator %q (known: database)", i, name)
		}
		if err := kind.install(ctx, c.Admin); err != nil {
			return fmt.Errorf("operators[%d] (%s): installing: %v", i, name, err)
		}
		p := c.W.AddProcess(scenario.OperatorProcess(name), func(p *sim.Process) { kind.start(c, p) })
		p.Start()
	}
	oc, err := newOperatorCheck(c)
	if err != nil {
		return err
	}
	c.operators = oc
	c.W.AddCheck(oc.check)
	return nil
}

// operatorCheck follows the store, like checker, and keeps the objects
// the database operator's invariants look at.
type operatorCheck struct {
	w       store.Watcher
	enabled func(name string) bool
	objs    map[string]api.Object // by store key
	// everReady: per database key, the uids of its pods ever seen Ready.
	everReady map[string]map[string]bool
	changed   bool
	err       error
}

func newOperatorCheck(c *Cluster) (*operatorCheck, error) {
	w, err := c.Store.Watch(context.Background(), "/registry/", 0)
	if err != nil {
		return nil, err
	}
	enabled := func(name string) bool {
		if len(c.Scenario.Invariants) == 0 {
			return true
		}
		for _, n := range c.Scenario.Invariants {
			if n == name {
				return true
			}
		}
		return false
	}
	return &operatorCheck{w: w, enabled: enabled, objs: map[string]api.Object{}, everReady: map[string]map[string]bool{}}, nil
}

// decoders are the store prefixes the invariants read and what each holds.
var operatorPrefixes = []struct {
	prefix string
	new    func() api.Object
}{
	{"/registry/" + database.Group + "/" + database.Plural + "/", func() api.Object { return &database.Database{} }},
	{"/registry/pods/", func() api.Object { return &api.Pod{} }},
	{"/registry/configmaps/", func() api.Object { return &api.ConfigMap{} }},
	{"/registry/services/", func() api.Object { return &api.Service{} }},
	{"/registry/statefulsets/", func() api.Object { return &api.StatefulSet{} }},
}

// follow applies what changed in the store since the last step.
func (o *operatorCheck) follow() {
	for {
		ev, ok := o.w.Next()
		if !ok {
			return
		}
		for _, p := range operatorPrefixes {
			if !strings.HasPrefix(ev.KV.Key, p.prefix) {
				continue
			}
			o.changed = true
			if ev.Type == store.EventDelete {
				delete(o.objs, ev.KV.Key)
				break
			}
			obj := p.new()
			if json.Unmarshal(ev.KV.Value, obj) != nil {
				break
			}
			if pod, ok := obj.(*api.Pod); ok && api.IsPodReady(pod) {
				if db := pod.Labels[database.DatabaseLabel]; db != "" {
					k := pod.Namespace + "/" + db
					if o.everReady[k] == nil {
						o.everReady[k] = map[string]bool{}
					}
					o.everReady[k][pod.UID] = true
				}
			}
			o.objs[ev.KV.Key] = obj
			break
		}
	}
}

// view is the store's state as the invariants read it, in key order.
func (o *operatorCheck) view() *database.View {
	v := &database.View{EverReady: map[string]int{}}
	for _, k := range sortedKeys(o.objs) {
		switch obj := o.objs[k].(type) {
		case *database.Database:
			v.Databases = append(v.Databases, obj)
		case *api.Pod:
			v.Pods = append(v.Pods, obj)
		case *api.ConfigMap:
			v.ConfigMaps = append(v.ConfigMaps, obj)
		case *api.Service:
			v.Services = append(v.Services, obj)
		case *api.StatefulSet:
			v.StatefulSets = append(v.StatefulSets, obj)
		}
	}
	for k, uids := range o.everReady {
		v.EverReady[k] = len(uids)
	}
	return v
}

// check runs the safety invariants when something they read changed.
func (o *operatorCheck) check() error {
	if o.err != nil {
		return o.err
	}
	o.follow()
	if !o.changed {
		return nil
	}
	o.changed = false
	o.err = o.run(false)
	return o.err
}

// run checks the safety (settled false) or the settled invariants.
func (o *operatorCheck) run(settled bool) error {
	v := o.view()
	for _, inv := range database.Invariants() {
		if inv.Settled != settled || !o.enabled(inv.Name) {
			continue
		}
		if err := inv.Check(v); err != nil {
			return fmt.Errorf("%s: %v", inv.Name, err)
		}
	}
	return nil
}

// operatorsLive: the operators' settled invariants hold.
func (c *Cluster) operatorsLive(*liveView) error {
	if c.operators == nil {
		return nil
	}
	c.operators.follow()
	return c.operators.run(true)
}
