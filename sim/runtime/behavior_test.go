package runtime

import (
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseBehavior(t *testing.T) {
	tests := []struct {
		in      string
		want    Behavior
		wantErr string
	}{
		{in: "", want: Behavior{}},
		{in: "start=2s,ready=1s,exit=30s,code=1", want: Behavior{Start: 2 * time.Second, Ready: time.Second, Exit: 30 * time.Second, Code: 1}},
		{in: "crash-every=60s", want: Behavior{Exit: time.Minute, Code: 1}},
		{in: "code=2, crash-every=1m", want: Behavior{Exit: time.Minute, Code: 2}},
		{in: "liveness-fail-after=20s,readiness-fail-after=5s,term=5s,pull-fail", want: Behavior{LivenessFailAfter: 20 * time.Second, ReadinessFailAfter: 5 * time.Second, Term: 5 * time.Second, PullFail: true}},
		{in: "start=2x", wantErr: `behavior "start=2x": start: invalid duration "2x"`},
		{in: "start", wantErr: `behavior "start": start: missing value (want start=DURATION, such as start=2s)`},
		{in: "start=-1s", wantErr: `behavior "start=-1s": start: negative duration "-1s"`},
		{in: "foo=1", wantErr: `behavior "foo=1": unknown key "foo" (known: start, ready, exit, crash-every, code, liveness-fail-after, readiness-fail-after, term, pull-fail, image-user, write-file, create-file, fail-unless-env, fail-unless-file, ready-when-file, cpu, memory, cpu-steps, memory-steps, cpu-per-request, memory-per-request)`},
		{in: "write-file=/data/owner=web-0,fail-unless-env=LEVEL=debug,fail-unless-file=/etc/app/mode=a=b,ready-when-file=/etc/app/ok", want: Behavior{
			WriteFile: &Expect{Name: "/data/owner", Value: "web-0"}, FailUnlessEnv: &Expect{Name: "LEVEL", Value: "debug"},
			FailUnlessFile: &Expect{Name: "/etc/app/mode", Value: "a=b"}, ReadyWhenFile: &Expect{Name: "/etc/app/ok", Any: true}}},
		{in: "fail-unless-env=EMPTY=", want: Behavior{FailUnlessEnv: &Expect{Name: "EMPTY"}}},
		{in: "fail-unless-env=LEVEL", wantErr: `behavior "fail-unless-env=LEVEL": fail-unless-env: "LEVEL" has no =VALUE (want fail-unless-env=NAME=VALUE)`},
		{in: "ready-when-file", wantErr: `behavior "ready-when-file": ready-when-file: missing value (want ready-when-file=NAME=VALUE)`},
		{in: "start=1s,start=2s", wantErr: `behavior "start=1s,start=2s": start: given twice`},
		{in: "start=1s,", wantErr: `behavior "start=1s,": empty item (a stray comma?)`},
		{in: "code=256", wantErr: `behavior "code=256": code: invalid exit code "256" (want 0–255)`},
		{in: "exit=1s,crash-every=2s", wantErr: `behavior "exit=1s,crash-every=2s": exit and crash-every cannot both be given`},
		{in: "exit=0s", wantErr: `behavior "exit=0s": exit: must be more than 0`},
		{in: "image-user=1000:3000", want: Behavior{ImageUser: "1000:3000"}},
		{in: "image-user=", wantErr: `behavior "image-user=": image-user: missing value (want image-user=USER, such as image-user=1000)`},
		{in: "cpu=250m,memory=64Mi,cpu-per-request=5m,memory-per-request=1Ki", want: Behavior{CPUMilli: 250, MemoryBytes: 64 << 20, CPUPerRequestMilli: 5, MemoryPerRequestBytes: 1024}},
		{in: "cpu=1.5,cpu-steps=0s:100m; 1m:900m;2m:0", want: Behavior{CPUMilli: 1500, CPUSteps: []Step{{0, 100}, {time.Minute, 900}, {2 * time.Minute, 0}}}},
		{in: "memory-steps=30s:256Mi", want: Behavior{MemorySteps: []Step{{30 * time.Second, 256 << 20}}}},
		{in: "cpu=-1", wantErr: `behavior "cpu=-1": cpu: negative quantity "-1"`},
		{in: "cpu=lots", wantErr: `behavior "cpu=lots": cpu: invalid quantity "lots" (want millicores such as 250m, or cores such as 1.5)`},
		{in: "cpu", wantErr: `behavior "cpu": cpu: missing value (want cpu=QUANTITY, such as cpu=250m)`},
		{in: "memory=2Ei", wantErr: `behavior "memory=2Ei": memory: "2Ei" is more memory than the simulator measures (at most 1Pi)`},
		{in: "memory=2Pi", wantErr: `behavior "memory=2Pi": memory: "2Pi" is more memory than the simulator measures (at most 1Pi)`},
		{in: "cpu-per-request=2M", wantErr: `behavior "cpu-per-request=2M": cpu-per-request: "2M" is more CPU than the simulator measures (at most 1M)`},
		{in: "cpu-steps=1m:1;30s:2", wantErr: `behavior "cpu-steps=1m:1;30s:2": cpu-steps: step 2 at 30s is not after step 1 at 1m0s (steps go in time order) (want cpu-steps=60s:900m;2m:100m)`},
		{in: "cpu-steps=1m", wantErr: `behavior "cpu-steps=1m": cpu-steps: step 1 "1m" is not DURATION:QUANTITY (want cpu-steps=60s:900m;2m:100m)`},
		{in: "memory-steps=x:1Mi", wantErr: `behavior "memory-steps=x:1Mi": memory-steps: step 1: invalid duration "x" (want memory-steps=30s:256Mi;1m:64Mi)`},
		{in: "pull-fail=yes", wantErr: `behavior "pull-fail=yes": pull-fail: takes no value`},
	}
	for _, tt := range tests {
		got, err := ParseBehavior(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseBehavior(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseBehavior(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseBehavior(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

// FuzzParseBehavior checks that the parser never panics and that whatever
// it accepts survives String and a second parse unchanged.
func FuzzParseBehavior(f *testing.F) {
	for _, s := range []string{"", "start=2s,ready=1s,exit=30s,code=1", "crash-every=60s", "term=5s,pull-fail", "image-user=nginx", "liveness-fail-after=1h", "code=0,exit=1ns", "write-file=/d/f=x,ready-when-file=/d/f",
		"cpu=250m,memory=64Mi", "cpu-steps=0s:100m;1m:1.5,memory-steps=10s:1Gi", "cpu-per-request=5m,memory-per-request=100Ki"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseBehavior(s)
		if err != nil {
			return
		}
		again, err := ParseBehavior(b.String())
		if err != nil {
			t.Fatalf("ParseBehavior(%q) = %+v, whose String %q does not parse: %v", s, b, b.String(), err)
		}
		if !reflect.DeepEqual(again, b) {
			t.Fatalf("round trip of %q: %+v became %+v via %q", s, b, again, b.String())
		}
	})
}

// TestBehaviorFor pins the rule the kubelet used to apply before it
// passed annotations through: a container's own annotation wins, even
// empty, over the pod-wide one.
func TestBehaviorFor(t *testing.T) {
	tests := []struct {
		name        string
		annotations map[string]string
		want        string
	}{
		{"none", nil, ""},
		{"pod-wide", map[string]string{AnnotationBehavior: "exit=1s"}, "exit=1s"},
		{"own wins", map[string]string{AnnotationBehavior: "exit=1s", AnnotationBehaviorPrefix + "c": "start=2s"}, "start=2s"},
		{"own empty wins", map[string]string{AnnotationBehavior: "exit=1s", AnnotationBehaviorPrefix + "c": ""}, ""},
		{"another container's", map[string]string{AnnotationBehaviorPrefix + "d": "start=2s"}, ""},
		{"other annotations", map[string]string{"example.com/x": "exit=1s"}, ""},
	}
	for _, tt := range tests {
		if got := behaviorFor(tt.annotations, "c"); got != tt.want {
			t.Errorf("%s: behaviorFor(%v, c) = %q, want %q", tt.name, tt.annotations, got, tt.want)
		}
	}
}
