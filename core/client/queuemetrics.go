package client

import (
	"reflect"
	"runtime"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/metrics"
)

// queueBuckets are client-go's workqueue buckets: 10ns to 10s, by tens.
var queueBuckets = []float64{1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10}

// The work queues' metrics, named and labelled as client-go's.
var (
	queueDepth = &metrics.Desc{Name: "workqueue_depth", Kind: metrics.Gauge,
		Help: "Current depth of workqueue", Labels: []string{"name"}}
	queueAdds = &metrics.Desc{Name: "workqueue_adds_total", Kind: metrics.Counter,
		Help: "Total number of adds handled by workqueue", Labels: []string{"name"}}
	queueLatency = &metrics.Desc{Name: "workqueue_queue_duration_seconds", Kind: metrics.Histogram,
		Help: "How long in seconds an item stays in workqueue before being requested.", Labels: []string{"name"}, Buckets: queueBuckets}
	queueWork = &metrics.Desc{Name: "workqueue_work_duration_seconds", Kind: metrics.Histogram,
		Help: "How long in seconds processing an item from workqueue takes.", Labels: []string{"name"}, Buckets: queueBuckets}
	queueRetries = &metrics.Desc{Name: "workqueue_retries_total", Kind: metrics.Counter,
		Help: "Total number of retries handled by workqueue", Labels: []string{"name"}}
)

// queueName names a queue after the package of its work function, which
// is the component's: deployment, replicaset, scheduler, kubelet. It is
// only a default for the metrics' name label; a component with two queues
// sets Queue.Name on one of them.
func queueName(work func(string) error) string {
	f := runtime.FuncForPC(reflect.ValueOf(work).Pointer())
	if f == nil {
		return "queue"
	}
	name := f.Name() // ".../core/controller/deployment.(*Controller).Reconcile-fm"
	name = name[strings.LastIndex(name, "/")+1:]
	if i := strings.Index(name, "."); i > 0 {
		name = name[:i]
	}
	return name
}

// measured reports whether the queue has a Recorder to tell.
func (q *Queue) measured() bool { return q.Metrics != nil && q.Metrics != metrics.Discard }

// added notes that key entered the queue now.
func (q *Queue) added(key string) {
	if !q.measured() {
		return
	}
	q.addedAt[key] = q.loop.Now()
	q.Metrics.Add(queueAdds, 1, q.Name)
	q.Metrics.Set(queueDepth, float64(len(q.queue)), q.Name)
}

// taken notes that key left the queue to be processed, and returns when.
func (q *Queue) taken(key string) time.Time {
	if !q.measured() {
		return time.Time{}
	}
	now := q.loop.Now()
	if at, ok := q.addedAt[key]; ok {
		q.Metrics.Observe(queueLatency, now.Sub(at).Seconds(), q.Name)
		delete(q.addedAt, key)
	}
	q.Metrics.Set(queueDepth, float64(len(q.queue)), q.Name)
	return now
}

// done notes that processing begun at start ended, with a retry to come
// when failed.
func (q *Queue) done(start time.Time, failed bool) {
	if !q.measured() {
		return
	}
	q.Metrics.Observe(queueWork, q.loop.Now().Sub(start).Seconds(), q.Name)
	if failed {
		q.Metrics.Add(queueRetries, 1, q.Name)
	}
}
