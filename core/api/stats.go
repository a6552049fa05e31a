package api

import "time"

// The kubelet's summary of what its node and pods use, in the shape of
// Kubernetes' kubelet /stats/summary (stats/v1alpha1): what the metrics
// pipeline scrapes. CPU is cumulative (UsageCoreNanoSeconds) with an
// instantaneous rate where the kubelet knows one (UsageNanoCores); memory
// is the working set, what the OOM killer and the HPA judge.

// Summary is one node's stats and those of each pod on it.
type Summary struct {
	Node NodeStats  `json:"node"`
	Pods []PodStats `json:"pods"`
}

// NodeStats is the whole machine's use.
type NodeStats struct {
	NodeName  string       `json:"nodeName"`
	StartTime time.Time    `json:"startTime"`
	CPU       *CPUStats    `json:"cpu,omitempty"`
	Memory    *MemoryStats `json:"memory,omitempty"`
}

// PodStats is one pod's use: its containers' and their sum.
type PodStats struct {
	PodRef     PodReference     `json:"podRef"`
	StartTime  time.Time        `json:"startTime"`
	Containers []ContainerStats `json:"containers"`
	CPU        *CPUStats        `json:"cpu,omitempty"`
	Memory     *MemoryStats     `json:"memory,omitempty"`
}

// PodReference names a pod in a Summary.
type PodReference struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	UID       string `json:"uid"`
}

// ContainerStats is one container's use.
type ContainerStats struct {
	Name      string       `json:"name"`
	StartTime time.Time    `json:"startTime"`
	CPU       *CPUStats    `json:"cpu,omitempty"`
	Memory    *MemoryStats `json:"memory,omitempty"`
}

// CPUStats: UsageCoreNanoSeconds is the CPU time used since the start
// (the counter a rate is computed from); UsageNanoCores the rate over the
// kubelet's last interval, when it has two samples.
type CPUStats struct {
	Time                 time.Time `json:"time"`
	UsageNanoCores       *uint64   `json:"usageNanoCores,omitempty"`
	UsageCoreNanoSeconds *uint64   `json:"usageCoreNanoSeconds,omitempty"`
}

// MemoryStats: WorkingSetBytes is the memory in use that cannot be
// reclaimed without swapping (usage minus inactive file pages).
type MemoryStats struct {
	Time            time.Time `json:"time"`
	AvailableBytes  *uint64   `json:"availableBytes,omitempty"`
	UsageBytes      *uint64   `json:"usageBytes,omitempty"`
	WorkingSetBytes *uint64   `json:"workingSetBytes,omitempty"`
	RSSBytes        *uint64   `json:"rssBytes,omitempty"`
}
