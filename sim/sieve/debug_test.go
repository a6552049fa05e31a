package sieve

import (
	"github.com/tinykube/tinykube/core/controller/job"
	"os"
	"strconv"
	"testing"
)

// TestDebugOne runs one perturbation of one case and prints its whole
// timeline: SIEVE_DEBUG=job SIEVE_KIND=late SIEVE_RES=pods go test -run TestDebugOne -v
func TestDebugOne(t *testing.T) {
	name := os.Getenv("SIEVE_DEBUG")
	if name == "" {
		t.Skip("set SIEVE_DEBUG to a case name")
	}
	cases := map[string]Case{"job": jobCase(job.Config{})}
	c := cases[name].withDefaults()
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
	r.execute()
	t.Log(r.traceTail(100000))
}
