package containerdrt

import (
	"fmt"
	"strings"
	"time"

	cg1 "github.com/containerd/cgroups/v3/cgroup1/stats"
	cg2 "github.com/containerd/cgroups/v3/cgroup2/stats"
	tasksapi "github.com/containerd/containerd/api/services/tasks/v1"
	"github.com/containerd/containerd/api/types"
	"google.golang.org/protobuf/proto"

	"github.com/tinykube/tinykube/core/kubelet"
)

var _ kubelet.StatsProvider = (*Runtime)(nil)

// The type names containerd's shims give the cgroup statistics they
// return, one per cgroup hierarchy: a task's metrics arrive as an Any
// whose type URL is one of these.
var (
	cgroup1MetricsType = string((&cg1.Metrics{}).ProtoReflect().Descriptor().FullName())
	cgroup2MetricsType = string((&cg2.Metrics{}).ProtoReflect().Descriptor().FullName())
)

// ContainerStats implements kubelet.StatsProvider: the CPU time and
// memory of every task of this node's containerd namespace that
// containerd could measure, keyed by container ID, each stamped with the
// moment its shim read it. It is one call to containerd, which asks each
// task's shim to read its cgroup (a stopped task's shim cannot and is left
// out; so are sandboxes, which have no task). Works on either cgroup
// hierarchy: the shim reports cgroup v1 or v2 statistics, whichever the
// machine has.
func (r *Runtime) ContainerStats() (map[string]kubelet.ContainerUsage, error) {
	resp, err := r.client.TaskService().Metrics(r.callCtx(), &tasksapi.MetricsRequest{})
	if err != nil {
		return nil, fmt.Errorf("reading the tasks' metrics from containerd (namespace %s): %w", r.cfg.Namespace, err)
	}
	out := make(map[string]kubelet.ContainerUsage, len(resp.Metrics))
	for _, m := range resp.Metrics {
		u, err := containerUsage(m)
		if err != nil {
			return nil, err
		}
		out[m.ID] = u
	}
	return out, nil
}

// containerUsage decodes one task's metrics: cgroup v1 or v2 statistics
// in an Any, by its type URL.
func containerUsage(m *types.Metric) (kubelet.ContainerUsage, error) {
	at := time.Now()
	if m.Timestamp != nil {
		at = m.Timestamp.AsTime()
	}
	if m.Data == nil {
		return kubelet.ContainerUsage{}, fmt.Errorf("metrics of task %s: containerd sent no data", m.ID)
	}
	url := m.Data.GetTypeUrl()
	name := url[strings.LastIndex(url, "/")+1:] // a URL may carry a host prefix
	switch name {
	case cgroup1MetricsType:
		var s cg1.Metrics
		if err := proto.Unmarshal(m.Data.GetValue(), &s); err != nil {
			return kubelet.ContainerUsage{}, fmt.Errorf("metrics of task %s: decoding %s: %w", m.ID, url, err)
		}
		return cgroup1Usage(at, &s), nil
	case cgroup2MetricsType:
		var s cg2.Metrics
		if err := proto.Unmarshal(m.Data.GetValue(), &s); err != nil {
			return kubelet.ContainerUsage{}, fmt.Errorf("metrics of task %s: decoding %s: %w", m.ID, url, err)
		}
		return cgroup2Usage(at, &s), nil
	}
	return kubelet.ContainerUsage{}, fmt.Errorf("metrics of task %s: type %q is neither %s nor %s: is containerd's shim for another OS?",
		m.ID, url, cgroup1MetricsType, cgroup2MetricsType)
}

// cgroup1Usage reads cgroup v1 statistics: cpuacct.usage (nanoseconds
// of CPU time, all CPUs) and the memory controller's usage less its
// inactive file pages, counted over the whole subtree (total_*), as the
// kubelet's cAdvisor does.
func cgroup1Usage(at time.Time, s *cg1.Metrics) kubelet.ContainerUsage {
	u := kubelet.ContainerUsage{Time: at}
	if s.CPU != nil && s.CPU.Usage != nil {
		u.CPUCoreNanoSeconds = s.CPU.Usage.Total
	}
	if s.Memory != nil && s.Memory.Usage != nil {
		u.MemoryUsageBytes = s.Memory.Usage.Usage
		u.MemoryWorkingSetBytes = workingSet(u.MemoryUsageBytes, s.Memory.TotalInactiveFile)
	}
	return u
}

// cgroup2Usage reads cgroup v2 statistics: cpu.stat's usage_usec (in
// microseconds) and memory.current less memory.stat's inactive_file
// (already over the subtree in v2).
func cgroup2Usage(at time.Time, s *cg2.Metrics) kubelet.ContainerUsage {
	u := kubelet.ContainerUsage{Time: at}
	if s.CPU != nil {
		u.CPUCoreNanoSeconds = s.CPU.UsageUsec * 1000
	}
	if s.Memory != nil {
		u.MemoryUsageBytes = s.Memory.Usage
		u.MemoryWorkingSetBytes = workingSet(s.Memory.Usage, s.Memory.InactiveFile)
	}
	return u
}

// workingSet is usage less the inactive file pages the kernel could drop
// at once, never below zero: the memory a container cannot give back
// without swapping, what eviction and the HPA judge.
func workingSet(usage, inactiveFile uint64) uint64 {
	if inactiveFile > usage {
		return 0
	}
	return usage - inactiveFile
}
