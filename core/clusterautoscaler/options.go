package clusterautoscaler

import "time"

// Options are the autoscaler's tunables, named after cluster-autoscaler's
// flags. The zero value of each field means Kubernetes' default.
type Options struct {
	// ScanInterval is how often the autoscaler looks (--scan-interval,
	// 10s).
	ScanInterval time.Duration
	// ScaleDownUtilizationThreshold: a node whose pods request less than
	// this fraction of its allocatable cpu and of its memory is a
	// candidate for removal (--scale-down-utilization-threshold, 0.5).
	ScaleDownUtilizationThreshold float64
	// ScaleDownUnneededTime is how long a node must stay unneeded before
	// it is removed (--scale-down-unneeded-time, 10m).
	ScaleDownUnneededTime time.Duration
	// ScaleDownDelayAfterAdd is how long after a scale-up no node is
	// removed (--scale-down-delay-after-add, 10m).
	ScaleDownDelayAfterAdd time.Duration
	// ScaleDownDelayAfterFailure is how long after a failed removal no
	// node is removed (--scale-down-delay-after-failure, 3m).
	ScaleDownDelayAfterFailure time.Duration
	// MaxNodeProvisionTime is how long a node asked for may take to
	// register before it is given up on (--max-node-provision-time, 15m).
	MaxNodeProvisionTime time.Duration
	// MaxPodEvictionTime is how long a drain keeps asking for evictions
	// that a budget refuses before it gives up on the node
	// (--max-pod-eviction-time, 2m).
	MaxPodEvictionTime time.Duration
	// EvictionRetry is the time between two attempts to evict a pod that
	// a budget protects (cluster-autoscaler retries every 10s).
	EvictionRetry time.Duration
	// InitialBackoff and MaxBackoff bound how long a group whose nodes
	// did not come up is left alone: the first time InitialBackoff,
	// doubling each time after, up to MaxBackoff (5m and 30m).
	InitialBackoff, MaxBackoff time.Duration
	// MaxEmptyBulkDelete is how many empty nodes one pass removes at
	// once (--max-empty-bulk-delete, 10); nodes with pods to move go one
	// per pass (--max-drain-parallelism, 1).
	MaxEmptyBulkDelete int
}

// withDefaults returns o with every zero field set to Kubernetes' default.
func (o Options) withDefaults() Options {
	set := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	set(&o.ScanInterval, 10*time.Second)
	set(&o.ScaleDownUnneededTime, 10*time.Minute)
	set(&o.ScaleDownDelayAfterAdd, 10*time.Minute)
	set(&o.ScaleDownDelayAfterFailure, 3*time.Minute)
	set(&o.MaxNodeProvisionTime, 15*time.Minute)
	set(&o.MaxPodEvictionTime, 2*time.Minute)
	set(&o.EvictionRetry, 10*time.Second)
	set(&o.InitialBackoff, 5*time.Minute)
	set(&o.MaxBackoff, 30*time.Minute)
	if o.ScaleDownUtilizationThreshold == 0 {
		o.ScaleDownUtilizationThreshold = 0.5
	}
	if o.MaxEmptyBulkDelete == 0 {
		o.MaxEmptyBulkDelete = 10
	}
	return o
}
