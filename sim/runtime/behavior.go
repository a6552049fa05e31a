package runtime

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// Annotations on a pod that script its simulated containers: the
// behaviour of every container of the pod, or (the prefix followed by a
// container's name) of that one container, which wins over the pod-wide
// one. They are this runtime's business alone: the kubelet passes the
// pod's annotations through ContainerConfig untouched, and containerd
// never looks at them.
const (
	AnnotationBehavior       = "sim.tinykube.io/behavior"
	AnnotationBehaviorPrefix = "sim.tinykube.io/behavior."
)

// behaviorFor returns the behaviour text that a pod's annotations give
// its container name: the container's own annotation when present (even
// empty), else the pod-wide one, else "" (the zero Behavior).
func behaviorFor(annotations map[string]string, name string) string {
	if b, ok := annotations[AnnotationBehaviorPrefix+name]; ok {
		return b
	}
	return annotations[AnnotationBehavior]
}

// Behavior scripts one simulated container. It is written as a
// comma-separated list of key=value items (flags have no value), for
// example "start=2s,ready=1s,exit=30s,code=1":
//
//	start=D                 it takes D from StartContainer to running
//	ready=D                 its readiness probe succeeds D after it started
//	exit=D                  it exits D after it started (code 0 unless code=)
//	crash-every=D           it exits D after each start with code 1 (unless code=)
//	code=N                  the exit code of exit / crash-every (0–255)
//	liveness-fail-after=D   its liveness probe fails from D after it started
//	readiness-fail-after=D  its readiness probe fails from D after it started
//	term=D                  it takes D to exit after SIGTERM (default 0)
//	pull-fail               pulling its image fails
//	image-user=USER         its image runs as USER (an OCI image config's
//	                        "User": 1000, 1000:3000, nginx); without it the
//	                        image runs as root, as busybox does
//
// Configuration reaches a simulated container as it reaches a real one,
// through its env and its volume mounts, and these keys make it matter:
//
//	write-file=PATH=TEXT        on start it writes TEXT to PATH (an emptyDir,
//	                            hostPath or local volume mounted read-write)
//	create-file=PATH=TEXT       on start it writes TEXT to PATH unless PATH
//	                            already exists (what a database does on
//	                            first boot: a predecessor's data is kept)
//	fail-unless-env=NAME=VALUE  on start it exits with code 1 unless its
//	                            env holds NAME=VALUE
//	fail-unless-file=PATH[=TEXT] on start it exits with code 1 unless PATH
//	                            exists (and holds TEXT)
//	ready-when-file=PATH[=TEXT] its readiness probe fails while PATH is
//	                            missing (or holds other text): a changed
//	                            ConfigMap can make it ready
//
// What a container uses, which the runtime measures as cgroups would
// (usage.go) and the kubelet reports in its stats summary:
//
//	cpu=Q                   it uses Q of CPU (250m, 1.5) from its start
//	memory=Q                its working set is Q (64Mi, 1Gi)
//	cpu-steps=D:Q;D:Q…      from D after its start it uses Q of CPU
//	                        instead (the steps in time order, ";" between
//	                        them): cpu-steps=60s:900m;2m:100m is a busy
//	                        minute from the first minute on
//	memory-steps=D:Q;D:Q…   the same for its working set
//	cpu-per-request=Q       each request a second its pod receives (a
//	                        scenario's load on a Service) costs Q more
//	                        CPU: 5m is 5 ms of CPU a request, so 100
//	                        requests a second add 500m
//	memory-per-request=Q    each request a second adds Q to its working set
//
// A container that names no use of a kind uses the runtime's idle use of
// it (SetIdleUse): nothing in the simulator, an idle process' 1m and 4Mi
// on the nodes of `tinykube up --runtime=sim`.
//
// CPU is capped at the container's CPU limit (a cgroup throttles it) and,
// with the other containers', at what the node has; the working set is
// capped at the memory limit (the simulator has no OOM killer).
//
// write-file and create-file run before the checks, so a container can
// check what a predecessor wrote ("fail-unless-file=/data/owner=web-0")
// while writing its own. A TEXT or VALUE may name the container's env
// vars as $(NAME), expanded as Kubernetes expands a command's: a
// StatefulSet's pods, which share one template, each write their own name
// with "create-file=/data/owner=$(POD_NAME)" and POD_NAME from the
// downward API. A value may not contain a comma.
//
// The zero Behavior starts at once, is ready, and runs until stopped.
type Behavior struct {
	Start, Ready       time.Duration
	Exit               time.Duration // 0: never exits by itself
	Code               int
	LivenessFailAfter  time.Duration // 0: never fails
	ReadinessFailAfter time.Duration // 0: never fails
	Term               time.Duration
	PullFail           bool
	// ImageUser is the user the image's config names ("" for root):
	// runAsNonRoot is checked against it (kubelet.CheckRunAsNonRoot).
	ImageUser string
	// The configuration keys: Name is the env var's name or the file's
	// path, Value what it must hold ("" with Any for a file that need
	// only exist).
	WriteFile      *Expect
	CreateFile     *Expect
	FailUnlessEnv  *Expect
	FailUnlessFile *Expect
	ReadyWhenFile  *Expect
	// Use: CPU in millicores, memory in bytes; the steps replace the base
	// from their time after the start on; the per-request costs are per
	// request a second (see usage.go).
	CPUMilli              int64
	MemoryBytes           int64
	CPUSteps              []Step
	MemorySteps           []Step
	CPUPerRequestMilli    int64
	MemoryPerRequestBytes int64
}

// Step is one change of a use over a container's life: from At after the
// container started, the use is Value (millicores or bytes).
type Step struct {
	At    time.Duration
	Value int64
}

// Expect is a NAME=VALUE of the configuration keys.
type Expect struct {
	Name, Value string
	Any         bool // no "=VALUE": any content will do
}

func (e *Expect) String() string {
	if e.Any {
		return e.Name
	}
	return e.Name + "=" + e.Value
}

var behaviorKeys = []string{"start", "ready", "exit", "crash-every", "code", "liveness-fail-after", "readiness-fail-after", "term", "pull-fail", "image-user",
	"write-file", "create-file", "fail-unless-env", "fail-unless-file", "ready-when-file",
	"cpu", "memory", "cpu-steps", "memory-steps", "cpu-per-request", "memory-per-request"}

// ParseBehavior reads a behaviour. It rejects unknown or repeated keys,
// bad durations and codes, and exit together with crash-every.
func ParseBehavior(s string) (Behavior, error) {
	var b Behavior
	fail := func(format string, args ...any) (Behavior, error) {
		return Behavior{}, fmt.Errorf("behavior %q: %s", s, fmt.Sprintf(format, args...))
	}
	if strings.TrimSpace(s) == "" {
		return b, nil
	}
	seen := map[string]bool{}
	codeSet := false
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return fail("empty item (a stray comma?)")
		}
		key, val, hasVal := strings.Cut(item, "=")
		key = strings.TrimSpace(key)
		val = strings.TrimSpace(val)
		if seen[key] {
			return fail("%s: given twice", key)
		}
		seen[key] = true
		dur := func(d *time.Duration) error {
			if !hasVal {
				return fmt.Errorf("%s: missing value (want %s=DURATION, such as %s=2s)", key, key, key)
			}
			v, err := time.ParseDuration(val)
			if err != nil {
				return fmt.Errorf("%s: invalid duration %q", key, val)
			}
			if v < 0 {
				return fmt.Errorf("%s: negative duration %q", key, val)
			}
			*d = v
			return nil
		}
		var err error
		switch key {
		case "start":
			err = dur(&b.Start)
		case "ready":
			err = dur(&b.Ready)
		case "exit", "crash-every":
			if seen["exit"] && seen["crash-every"] {
				return fail("exit and crash-every cannot both be given")
			}
			err = dur(&b.Exit)
			if err == nil && b.Exit == 0 {
				err = fmt.Errorf("%s: must be more than 0", key)
			}
			if key == "crash-every" && !codeSet {
				b.Code = 1
			}
		case "code":
			if !hasVal {
				return fail("code: missing value (want code=N, 0–255)")
			}
			n, perr := strconv.Atoi(val)
			if perr != nil || n < 0 || n > 255 {
				return fail("code: invalid exit code %q (want 0–255)", val)
			}
			b.Code, codeSet = n, true
		case "liveness-fail-after":
			err = dur(&b.LivenessFailAfter)
		case "readiness-fail-after":
			err = dur(&b.ReadinessFailAfter)
		case "term":
			err = dur(&b.Term)
		case "write-file", "create-file", "fail-unless-env", "fail-unless-file", "ready-when-file":
			name, value, hasValue := strings.Cut(val, "=")
			if !hasVal || name == "" {
				return fail("%s: missing value (want %s=NAME=VALUE)", key, key)
			}
			if !hasValue && (key == "write-file" || key == "create-file" || key == "fail-unless-env") {
				return fail("%s: %q has no =VALUE (want %s=NAME=VALUE)", key, val, key)
			}
			e := &Expect{Name: name, Value: value, Any: !hasValue}
			switch key {
			case "write-file":
				b.WriteFile = e
			case "create-file":
				b.CreateFile = e
			case "fail-unless-env":
				b.FailUnlessEnv = e
			case "fail-unless-file":
				b.FailUnlessFile = e
			default:
				b.ReadyWhenFile = e
			}
		case "cpu", "cpu-per-request":
			if !hasVal {
				return fail("%s: missing value (want %s=QUANTITY, such as %s=250m)", key, key, key)
			}
			m, qerr := cpuQuantity(val)
			if qerr != nil {
				return fail("%s: %v", key, qerr)
			}
			if key == "cpu" {
				b.CPUMilli = m
			} else {
				b.CPUPerRequestMilli = m
			}
		case "memory", "memory-per-request":
			if !hasVal {
				return fail("%s: missing value (want %s=QUANTITY, such as %s=64Mi)", key, key, key)
			}
			n, qerr := memoryQuantity(val)
			if qerr != nil {
				return fail("%s: %v", key, qerr)
			}
			if key == "memory" {
				b.MemoryBytes = n
			} else {
				b.MemoryPerRequestBytes = n
			}
		case "cpu-steps", "memory-steps":
			parse, example := cpuQuantity, "cpu-steps=60s:900m;2m:100m"
			if key == "memory-steps" {
				parse, example = memoryQuantity, "memory-steps=30s:256Mi;1m:64Mi"
			}
			if !hasVal || val == "" {
				return fail("%s: missing value (want %s)", key, example)
			}
			steps, serr := parseSteps(val, parse)
			if serr != nil {
				return fail("%s: %v (want %s)", key, serr, example)
			}
			if key == "cpu-steps" {
				b.CPUSteps = steps
			} else {
				b.MemorySteps = steps
			}
		case "image-user":
			if !hasVal || val == "" {
				return fail("image-user: missing value (want image-user=USER, such as image-user=1000)")
			}
			b.ImageUser = val
		case "pull-fail":
			if hasVal {
				return fail("pull-fail: takes no value")
			}
			b.PullFail = true
		default:
			return fail("unknown key %q (known: %s)", key, strings.Join(behaviorKeys, ", "))
		}
		if err != nil {
			return fail("%v", err)
		}
	}
	return b, nil
}

// cpuQuantity reads a CPU quantity ("250m", "1.5") as millicores; it
// must not be negative.
func cpuQuantity(s string) (int64, error) {
	q, err := api.ParseQuantity(s)
	if err != nil {
		if errors.Is(err, api.ErrQuantityTooLarge) {
			return 0, fmt.Errorf("%q is more CPU than the simulator measures (at most %s)", s, cpuString(maxCPUMilli))
		}
		return 0, fmt.Errorf("invalid quantity %q (want millicores such as 250m, or cores such as 1.5)", s)
	}
	if q.MilliValue() < 0 {
		return 0, fmt.Errorf("negative quantity %q", s)
	}
	if q.MilliValue() > maxCPUMilli {
		return 0, fmt.Errorf("%q is more CPU than the simulator measures (at most %s)", s, cpuString(maxCPUMilli))
	}
	return q.MilliValue(), nil
}

// maxCPUMilli and maxMemoryBytes bound what a behaviour may use (a
// million cores, a pebibyte), so that sums and products of uses stay far
// from overflowing.
const (
	maxCPUMilli    = 1_000_000_000
	maxMemoryBytes = 1 << 50
)

// memoryQuantity reads a memory quantity ("64Mi", "1G") as bytes,
// rounding a fraction of a byte up; it must not be negative.
func memoryQuantity(s string) (int64, error) {
	q, err := api.ParseQuantity(s)
	if err != nil {
		if errors.Is(err, api.ErrQuantityTooLarge) {
			return 0, fmt.Errorf("%q is more memory than the simulator measures (at most %s)", s, memoryString(maxMemoryBytes))
		}
		return 0, fmt.Errorf("invalid quantity %q (want bytes such as 64Mi or 1G)", s)
	}
	if q.MilliValue() < 0 {
		return 0, fmt.Errorf("negative quantity %q", s)
	}
	if q.Value() > maxMemoryBytes {
		return 0, fmt.Errorf("%q is more memory than the simulator measures (at most %s)", s, memoryString(maxMemoryBytes))
	}
	return q.Value(), nil
}

// parseSteps reads "D:Q;D:Q…": durations after the start, strictly
// increasing, each with a quantity read by parse.
func parseSteps(s string, parse func(string) (int64, error)) ([]Step, error) {
	var out []Step
	for i, item := range strings.Split(s, ";") {
		at, q, ok := strings.Cut(strings.TrimSpace(item), ":")
		if !ok {
			return nil, fmt.Errorf("step %d %q is not DURATION:QUANTITY", i+1, item)
		}
		d, err := time.ParseDuration(strings.TrimSpace(at))
		if err != nil || d < 0 {
			return nil, fmt.Errorf("step %d: invalid duration %q", i+1, at)
		}
		v, err := parse(strings.TrimSpace(q))
		if err != nil {
			return nil, fmt.Errorf("step %d: %v", i+1, err)
		}
		if len(out) > 0 && d <= out[len(out)-1].At {
			return nil, fmt.Errorf("step %d at %v is not after step %d at %v (steps go in time order)", i+1, d, i, out[len(out)-1].At)
		}
		out = append(out, Step{At: d, Value: v})
	}
	return out, nil
}

// stepsString writes steps as parseSteps reads them, each value by
// format.
func stepsString(steps []Step, format func(int64) string) string {
	parts := make([]string, len(steps))
	for i, st := range steps {
		parts[i] = st.At.String() + ":" + format(st.Value)
	}
	return strings.Join(parts, ";")
}

func cpuString(milli int64) string {
	return api.NewMilliQuantity(milli, api.DecimalSI).String()
}

func memoryString(bytes int64) string { return api.NewQuantity(bytes, api.BinarySI).String() }

// String writes b in the form ParseBehavior reads.
func (b Behavior) String() string {
	var out []string
	add := func(k string, d time.Duration) {
		if d > 0 {
			out = append(out, k+"="+d.String())
		}
	}
	add("start", b.Start)
	add("ready", b.Ready)
	add("exit", b.Exit)
	if b.Code != 0 {
		out = append(out, "code="+strconv.Itoa(b.Code))
	}
	add("liveness-fail-after", b.LivenessFailAfter)
	add("readiness-fail-after", b.ReadinessFailAfter)
	add("term", b.Term)
	if b.PullFail {
		out = append(out, "pull-fail")
	}
	if b.ImageUser != "" {
		out = append(out, "image-user="+b.ImageUser)
	}
	for _, e := range []struct {
		key string
		e   *Expect
	}{{"write-file", b.WriteFile}, {"create-file", b.CreateFile}, {"fail-unless-env", b.FailUnlessEnv}, {"fail-unless-file", b.FailUnlessFile}, {"ready-when-file", b.ReadyWhenFile}} {
		if e.e != nil {
			out = append(out, e.key+"="+e.e.String())
		}
	}
	if b.CPUMilli != 0 {
		out = append(out, "cpu="+cpuString(b.CPUMilli))
	}
	if b.MemoryBytes != 0 {
		out = append(out, "memory="+memoryString(b.MemoryBytes))
	}
	if len(b.CPUSteps) > 0 {
		out = append(out, "cpu-steps="+stepsString(b.CPUSteps, cpuString))
	}
	if len(b.MemorySteps) > 0 {
		out = append(out, "memory-steps="+stepsString(b.MemorySteps, memoryString))
	}
	if b.CPUPerRequestMilli != 0 {
		out = append(out, "cpu-per-request="+cpuString(b.CPUPerRequestMilli))
	}
	if b.MemoryPerRequestBytes != 0 {
		out = append(out, "memory-per-request="+memoryString(b.MemoryPerRequestBytes))
	}
	return strings.Join(out, ",")
}
