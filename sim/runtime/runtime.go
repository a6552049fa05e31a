package runtime

import (
	"fmt"
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/core/loop"
)

// Runtime is a simulated container runtime for one node. Containers follow
// their scripted Behavior in the time of the loop they were given; every
// state change happens in a callback of that loop and is announced to
// OnChange listeners. It implements kubelet.Runtime, kubelet.Prober,
// kubelet.ChangeNotifier and kubelet.StatsProvider (usage.go). It is not
// safe for concurrent use.
type Runtime struct {
	loop loop.Loop
	node string
	rand *rand.Rand

	subnet     string // "10.244.N", the sandboxes' /24
	seq        int
	ips        map[int]bool // hosts of the subnet in use
	sandboxes  map[string]*sandbox
	containers map[string]*container
	images     map[string]bool
	volumes    map[string]map[string]*volume // pod UID -> volume name -> volume
	disk       *Disk                         // the node's directories (hostPath, local); see UseDisk

	// FailPulls makes pulls of these images fail with ErrImagePull.
	FailPulls map[string]bool

	// usage measures what the containers use (usage.go).
	usage usage

	listeners  map[int]func(string)
	nextListen int
	changed    map[string]bool // pod UIDs to announce
	flushing   bool
}

type sandbox struct {
	kubelet.Sandbox
	host int
}

type container struct {
	kubelet.Container
	podUID   string
	behavior Behavior
	timer    loop.Timer // the next scripted change (start, exit)
	killAt   time.Time  // when a stopping container exits, zero if not stopping
	env      map[string]string
	mounts   []kubelet.Mount
	security kubelet.ContainerSecurity // as the kubelet asked, for tests to see
	// The limits its cgroup would enforce (0: none), and the CPU it has
	// used since it started (usage.go).
	cpuLimitMilli, memoryLimitBytes int64
	cpu                             counter
}

// New returns the runtime of node. Sandbox IPs come from
// 10.244.<index>.0/24, where index is the number the node's name ends
// with (node-3 → 3), or a hash of the name if it ends with none.
func New(l loop.Loop, node string, r *rand.Rand) *Runtime {
	return &Runtime{loop: l, node: node, rand: r, subnet: "10.244." + strconv.Itoa(nodeIndex(node)),
		ips: map[int]bool{}, sandboxes: map[string]*sandbox{}, containers: map[string]*container{},
		images: map[string]bool{}, volumes: map[string]map[string]*volume{}, disk: NewDisk(node), FailPulls: map[string]bool{}, listeners: map[int]func(string){}, changed: map[string]bool{},
		usage: newUsage(l.Now())}
}

func nodeIndex(node string) int {
	i := len(node)
	for i > 0 && node[i-1] >= '0' && node[i-1] <= '9' {
		i--
	}
	if n, err := strconv.Atoi(node[i:]); err == nil && i < len(node) {
		return n % 256
	}
	h := fnv.New32a()
	h.Write([]byte(node))
	return int(h.Sum32() % 256)
}

// Version names the runtime.
func (r *Runtime) Version() (string, string) { return "sim", "0.1.0" }

// AddImages makes images present, as if imported.
func (r *Runtime) AddImages(images ...string) {
	for _, i := range images {
		r.images[i] = true
	}
}

// OnChange registers f to hear, on the loop, which pod's objects changed.
func (r *Runtime) OnChange(f func(podUID string)) (cancel func()) {
	id := r.nextListen
	r.nextListen++
	r.listeners[id] = f
	return func() { delete(r.listeners, id) }
}

// notify announces a change of a pod's objects in a later callback, so
// that a listener never runs inside a runtime call.
func (r *Runtime) notify(uid string) {
	r.changed[uid] = true
	if r.flushing {
		return
	}
	r.flushing = true
	r.loop.After(0, func() {
		r.flushing = false
		uids := slices.Sorted(maps.Keys(r.changed))
		r.changed = map[string]bool{}
		for _, id := range sortedInts(r.listeners) {
			for _, uid := range uids {
				if f := r.listeners[id]; f != nil {
					f(uid)
				}
			}
		}
	})
}

func (r *Runtime) newID(kind string) string {
	r.seq++
	return fmt.Sprintf("%s-%s%06d", r.node, kind, r.seq)
}

// RunSandbox creates a ready sandbox with the lowest free IP.
func (r *Runtime) RunSandbox(cfg kubelet.SandboxConfig) (kubelet.Sandbox, error) {
	host := 0
	for h := 2; h < 255; h++ {
		if !r.ips[h] {
			host = h
			break
		}
	}
	if host == 0 {
		return kubelet.Sandbox{}, fmt.Errorf("node %s: no free IP left in %s.0/24", r.node, r.subnet)
	}
	r.ips[host] = true
	s := &sandbox{host: host, Sandbox: kubelet.Sandbox{ID: r.newID("s"), PodUID: cfg.PodUID, Labels: copyMap(cfg.Labels),
		IP: r.subnet + "." + strconv.Itoa(host), Ready: true, Created: r.loop.Now()}}
	r.sandboxes[s.ID] = s
	r.notify(s.PodUID)
	return s.Sandbox, nil
}

// StopSandbox kills every container of the sandbox at once and releases
// its IP.
func (r *Runtime) StopSandbox(id string) error {
	s := r.sandboxes[id]
	if s == nil {
		return fmt.Errorf("node %s: no sandbox %s", r.node, id)
	}
	for _, cid := range slices.Sorted(maps.Keys(r.containers)) {
		if c := r.containers[cid]; c.SandboxID == id && c.State != kubelet.StateExited {
			r.exit(c, 137, "Error")
		}
	}
	if s.Ready {
		s.Ready = false
		delete(r.ips, s.host)
		r.notify(s.PodUID)
	}
	return nil
}

// RemoveSandbox deletes a stopped sandbox and its containers.
func (r *Runtime) RemoveSandbox(id string) error {
	s := r.sandboxes[id]
	if s == nil {
		return nil
	}
	if s.Ready {
		return fmt.Errorf("node %s: sandbox %s is still running; stop it first", r.node, id)
	}
	for _, cid := range slices.Sorted(maps.Keys(r.containers)) {
		if r.containers[cid].SandboxID == id {
			delete(r.containers, cid)
		}
	}
	delete(r.sandboxes, id)
	r.notify(s.PodUID)
	return nil
}

// EnsureImage "pulls" an image: it fails for images in FailPulls, and for
// absent images under policy Never.
func (r *Runtime) EnsureImage(image string, policy api.PullPolicy) error {
	if image == "" {
		return &kubelet.ImageError{Reason: "InvalidImageName", Message: "no image given"}
	}
	if policy == api.PullNever && !r.images[image] {
		return &kubelet.ImageError{Reason: "ErrImageNeverPull", Message: fmt.Sprintf("Container image %q is not present with pull policy of Never", image)}
	}
	if r.FailPulls[image] && (policy == api.PullAlways || !r.images[image]) {
		return &kubelet.ImageError{Reason: "ErrImagePull", Message: fmt.Sprintf("failed to pull image %q: simulated pull failure", image)}
	}
	r.images[image] = true
	return nil
}

// CreateContainer creates a container that follows the behaviour the pod's
// annotations (cfg.Annotations) script for it, see AnnotationBehavior. A
// behaviour with pull-fail fails here with an ErrImagePull ImageError:
// EnsureImage is told only the image, not which container wants it. A
// container with runAsNonRoot whose image (image-user) would run as root
// is refused with the kubelet's *ConfigError, as containerd's runtime
// refuses it.
func (r *Runtime) CreateContainer(sandboxID string, cfg kubelet.ContainerConfig) (string, error) {
	s := r.sandboxes[sandboxID]
	if s == nil || !s.Ready {
		return "", fmt.Errorf("node %s: sandbox %s is not running", r.node, sandboxID)
	}
	b, err := ParseBehavior(behaviorFor(cfg.Annotations, cfg.Name))
	if err != nil {
		return "", fmt.Errorf("container %s: %v", cfg.Name, err)
	}
	if b.PullFail {
		return "", &kubelet.ImageError{Reason: "ErrImagePull", Message: fmt.Sprintf("failed to pull image %q: simulated pull failure (pull-fail)", cfg.Image)}
	}
	if err := kubelet.CheckRunAsNonRoot(cfg, b.ImageUser); err != nil {
		return "", err
	}
	c := &container{podUID: s.PodUID, behavior: b, Container: kubelet.Container{ID: r.newID("c"), SandboxID: sandboxID,
		Name: cfg.Name, Attempt: cfg.Attempt, Image: cfg.Image, Labels: copyMap(cfg.Labels), State: kubelet.StateCreated, CreatedAt: r.loop.Now()},
		env: map[string]string{}, mounts: slices.Clone(cfg.Mounts), security: cfg.Security,
		cpuLimitMilli: cfg.CPUMilli, memoryLimitBytes: cfg.MemoryBytes}
	for _, e := range cfg.Env {
		c.env[e.Name] = e.Value
	}
	r.containers[c.ID] = c
	r.notify(c.podUID)
	return c.ID, nil
}

// StartContainer starts a created container: it runs after its start
// delay, and exits on its own if its behaviour says so.
func (r *Runtime) StartContainer(id string) error {
	c := r.containers[id]
	if c == nil {
		return fmt.Errorf("node %s: no container %s", r.node, id)
	}
	if c.State != kubelet.StateCreated || c.timer != nil {
		return fmt.Errorf("node %s: container %s is %s, not created", r.node, id, c.State)
	}
	c.timer = r.loop.After(c.behavior.Start, func() {
		c.timer = nil
		r.settle() // the others' counters, up to the moment this one joins them
		c.State = kubelet.StateRunning
		c.StartedAt = r.loop.Now()
		if !r.configOK(c) {
			r.exit(c, 1, "Error")
			return
		}
		if c.behavior.Exit > 0 {
			c.timer = r.loop.After(c.behavior.Exit, func() {
				c.timer = nil
				r.exit(c, c.behavior.Code, "")
			})
		}
		r.notify(c.podUID)
	})
	return nil
}

// StopContainer sends SIGTERM: the container exits after its term delay
// with code 143, or is killed at grace with code 137, whichever is first.
// A second stop may bring the end forward, never push it back.
func (r *Runtime) StopContainer(id string, grace time.Duration) error {
	c := r.containers[id]
	if c == nil {
		return fmt.Errorf("node %s: no container %s", r.node, id)
	}
	if c.State == kubelet.StateExited {
		return nil
	}
	if c.State == kubelet.StateCreated {
		r.exit(c, 137, "Error")
		return nil
	}
	wait, code := c.behavior.Term, 143
	if grace < wait {
		wait, code = max(grace, 0), 137
	}
	at := r.loop.Now().Add(wait)
	if !c.killAt.IsZero() && !at.Before(c.killAt) {
		return nil
	}
	c.killAt = at
	if c.timer != nil {
		c.timer.Stop()
	}
	c.timer = r.loop.After(wait, func() {
		c.timer = nil
		r.exit(c, code, "Error")
	})
	return nil
}

// exit ends a container now.
func (r *Runtime) exit(c *container, code int, reason string) {
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	r.settle() // its counter (and the others'), up to the moment it stops
	if reason == "" {
		reason = "Error"
		if code == 0 {
			reason = "Completed"
		}
	}
	c.State, c.ExitCode, c.Reason, c.FinishedAt = kubelet.StateExited, code, reason, r.loop.Now()
	r.notify(c.podUID)
}

// RemoveContainer deletes an exited container.
func (r *Runtime) RemoveContainer(id string) error {
	c := r.containers[id]
	if c == nil {
		return nil
	}
	if c.State != kubelet.StateExited {
		return fmt.Errorf("node %s: container %s is %s; stop it first", r.node, id, c.State)
	}
	delete(r.containers, id)
	r.notify(c.podUID)
	return nil
}

// List returns copies of every sandbox and container, ordered by ID.
func (r *Runtime) List() ([]kubelet.Sandbox, []kubelet.Container, error) {
	var ss []kubelet.Sandbox
	for _, id := range slices.Sorted(maps.Keys(r.sandboxes)) {
		s := r.sandboxes[id].Sandbox
		s.Labels = copyMap(s.Labels)
		ss = append(ss, s)
	}
	var cs []kubelet.Container
	for _, id := range slices.Sorted(maps.Keys(r.containers)) {
		c := r.containers[id].Container
		c.Labels = copyMap(c.Labels)
		cs = append(cs, c)
	}
	return ss, cs, nil
}

// ListPod is List narrowed to one pod (kubelet.PodLister): its sandboxes
// (by the pod-UID label, or PodUID when the label is absent, as the
// kubelet attributes them), the containers labelled with its UID, and
// unlabelled containers in its sandboxes. It scans without sorting or
// copying the rest, which is what makes it cheaper than List.
func (r *Runtime) ListPod(uid string) ([]kubelet.Sandbox, []kubelet.Container, error) {
	var sandboxIDs []string
	for id, s := range r.sandboxes {
		if owner := s.Labels[kubelet.LabelPodUID]; owner == uid || owner == "" && s.PodUID == uid {
			sandboxIDs = append(sandboxIDs, id)
		}
	}
	slices.Sort(sandboxIDs)
	var containerIDs []string
	for id, c := range r.containers {
		if owner := c.Labels[kubelet.LabelPodUID]; owner == uid || owner == "" && slices.Contains(sandboxIDs, c.SandboxID) {
			containerIDs = append(containerIDs, id)
		}
	}
	slices.Sort(containerIDs)
	ss := make([]kubelet.Sandbox, 0, len(sandboxIDs))
	for _, id := range sandboxIDs {
		s := r.sandboxes[id].Sandbox
		s.Labels = copyMap(s.Labels)
		ss = append(ss, s)
	}
	cs := make([]kubelet.Container, 0, len(containerIDs))
	for _, id := range containerIDs {
		c := r.containers[id].Container
		c.Labels = copyMap(c.Labels)
		cs = append(cs, c)
	}
	return ss, cs, nil
}

// Security returns the security settings container id was created with
// (the kubelet's resolution of its securityContext), and whether it
// exists. The simulator honours runAsNonRoot (CreateContainer refuses
// a container that would run as root) and records the rest.
func (r *Runtime) Security(id string) (kubelet.ContainerSecurity, bool) {
	c := r.containers[id]
	if c == nil {
		return kubelet.ContainerSecurity{}, false
	}
	return c.security, true
}

// Running returns the running containers, ordered by ID: for invariants
// such as "a StatefulSet ordinal never runs twice".
func (r *Runtime) Running() []kubelet.Container {
	_, all, _ := r.List()
	var out []kubelet.Container
	for _, c := range all {
		if c.State == kubelet.StateRunning {
			out = append(out, c)
		}
	}
	return out
}

// HasIP reports whether a ready sandbox holds ip and runs a container:
// whether a request sent to ip would find someone to answer it.
func (r *Runtime) HasIP(ip string) bool {
	for _, s := range r.sandboxes {
		if !s.Ready || s.IP != ip {
			continue
		}
		for _, c := range r.containers {
			if c.SandboxID == s.ID && c.State == kubelet.StateRunning {
				return true
			}
		}
	}
	return false
}

// Exec succeeds in a running container and does nothing.
func (r *Runtime) Exec(id string, cmd []string, timeout time.Duration) (int, string, error) {
	c := r.containers[id]
	if c == nil || c.State != kubelet.StateRunning {
		return 0, "", fmt.Errorf("node %s: container %s is not running", r.node, id)
	}
	return 0, "", nil
}

// Crash is the node dying: every sandbox and container vanishes at once,
// without exiting, and List returns nothing. The runtime can be used
// again afterwards, as after a reboot.
func (r *Runtime) Crash() {
	for _, id := range slices.Sorted(maps.Keys(r.containers)) {
		if c := r.containers[id]; c.timer != nil {
			c.timer.Stop()
		}
	}
	r.sandboxes = map[string]*sandbox{}
	r.containers = map[string]*container{}
	r.ips = map[int]bool{}
	r.changed = map[string]bool{}
	r.dropMemoryVolumes()
	// The machine's counters start again from its next boot; what it has
	// and the load sent to it stay.
	now := r.loop.Now()
	r.usage.bootedAt, r.usage.settledAt, r.usage.containers = now, now, counter{}
}

// Probe answers a probe from the container's behaviour: liveness fails
// from liveness-fail-after; readiness succeeds from ready until
// readiness-fail-after; a startup probe succeeds once running.
func (r *Runtime) Probe(pod *api.Pod, podIP string, kc kubelet.Container, probe *api.Probe) kubelet.ProbeResult {
	c := r.containers[kc.ID]
	if c == nil || c.State != kubelet.StateRunning {
		return kubelet.ProbeResult{Message: "container is not running"}
	}
	up := r.loop.Now().Sub(c.StartedAt)
	b := c.behavior
	switch probeKind(pod, c.Name, probe) {
	case "liveness":
		if b.LivenessFailAfter > 0 && up >= b.LivenessFailAfter {
			return kubelet.ProbeResult{Message: fmt.Sprintf("simulated: unhealthy since %s after start (liveness-fail-after)", b.LivenessFailAfter)}
		}
	case "readiness":
		if up < b.Ready {
			return kubelet.ProbeResult{Message: fmt.Sprintf("simulated: not ready until %s after start", b.Ready)}
		}
		if b.ReadinessFailAfter > 0 && up >= b.ReadinessFailAfter {
			return kubelet.ProbeResult{Message: fmt.Sprintf("simulated: not ready since %s after start (readiness-fail-after)", b.ReadinessFailAfter)}
		}
		if e := b.ReadyWhenFile; e != nil && !r.fileHolds(c, e) {
			return kubelet.ProbeResult{Message: fmt.Sprintf("simulated: not ready while %s does not hold what ready-when-file=%s wants", e.Name, e)}
		}
	}
	return kubelet.ProbeResult{Success: true}
}

// configOK runs a starting container's configuration keys: it writes its
// write-file, then checks fail-unless-env and fail-unless-file. False: the
// container exits with code 1, as a program refusing its configuration.
func (r *Runtime) configOK(c *container) bool {
	b := c.behavior
	if e := b.WriteFile; e != nil && r.writeFile(c, e.Name, []byte(c.expand(e.Value))) != nil {
		return false
	}
	if e := b.CreateFile; e != nil {
		if _, ok := r.readFile(c, e.Name); !ok && r.writeFile(c, e.Name, []byte(c.expand(e.Value))) != nil {
			return false
		}
	}
	if e := b.FailUnlessEnv; e != nil {
		if v, ok := c.env[e.Name]; !ok || (!e.Any && v != c.expand(e.Value)) {
			return false
		}
	}
	if e := b.FailUnlessFile; e != nil && !r.fileHolds(c, e) {
		return false
	}
	return true
}

// fileHolds reports whether container path e.Name exists for c and holds
// e.Value (or anything, with e.Any).
func (r *Runtime) fileHolds(c *container, e *Expect) bool {
	b, ok := r.readFile(c, e.Name)
	return ok && (e.Any || string(b) == c.expand(e.Value))
}

// expand replaces $(NAME) in s with the value of c's env var NAME; a
// reference to a var c does not have stays as written (as Kubernetes
// leaves it in a command).
func (c *container) expand(s string) string {
	var out strings.Builder
	for {
		i := strings.Index(s, "$(")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], ')')
		if j < 0 {
			break
		}
		name := s[i+2 : i+j]
		out.WriteString(s[:i])
		if v, ok := c.env[name]; ok {
			out.WriteString(v)
		} else {
			out.WriteString(s[i : i+j+1])
		}
		s = s[i+j+1:]
	}
	out.WriteString(s)
	return out.String()
}

// probeKind tells which probe of a container p is: by identity (the
// kubelet passes a pointer into the pod's spec), else by value.
func probeKind(pod *api.Pod, name string, p *api.Probe) string {
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		if c.Name != name {
			continue
		}
		switch p {
		case c.LivenessProbe:
			return "liveness"
		case c.ReadinessProbe:
			return "readiness"
		case c.StartupProbe:
			return "startup"
		}
		if c.LivenessProbe != nil && reflect.DeepEqual(*c.LivenessProbe, *p) {
			return "liveness"
		}
	}
	return "readiness"
}

func copyMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func sortedInts[T any](m map[int]T) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}
