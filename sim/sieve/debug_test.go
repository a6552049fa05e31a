package sieve

import (
	"os"
	"strconv"
	"testing"

	"github.com/tinykube/tinykube/core/controller/daemonset"
	"github.com/tinykube/tinykube/core/controller/deployment"
	"github.com/tinykube/tinykube/core/controller/manager"
)

// TestDebugOne runs one perturbation of one case and prints its whole
// timeline, to study a finding:
//
//	SIEVE_DEBUG=job SIEVE_KIND=late SIEVE_RES=pods go test ./sim/sieve -run TestDebugOne -v
//	SIEVE_DEBUG=job SIEVE_KIND=crash-after SIEVE_CALL=15 go test ./sim/sieve -run TestDebugOne -v
func TestDebugOne(t *testing.T) {
	name := os.Getenv("SIEVE_DEBUG")
	if name == "" {
		t.Skip("set SIEVE_DEBUG to a case name")
	}
	cases := map[string]Case{}
	for _, c := range []Case{replicaSetCase(), deploymentCase(deployment.Config{}), statefulSetCase(), daemonSetCase(daemonset.Config{}),
		jobCase(manager.Lookup("job")), cronJobCase(), endpointsCase(), serviceLBCase(), garbageCollectorCase(), nodeCase()} {
		cases[c.Name] = c
	}
	c, ok := cases[name]
	if !ok {
		t.Fatalf("no case %q", name)
	}
	c = c.withDefaults()
	p := Perturbation{Resource: os.Getenv("SIEVE_RES")}
	p.Call, _ = strconv.Atoi(os.Getenv("SIEVE_CALL"))
	for k, n := range kindNames {
		if n == os.Getenv("SIEVE_KIND") {
			p.Kind = k
		}
	}
	r, err := newRun(c, p)
	if err != nil {
		t.Fatal(err)
	}
	err = r.execute()
	t.Logf("%s: %v (run error: %v)\n%s", c.Name, p, err, r.traceTail(1<<30))
}
