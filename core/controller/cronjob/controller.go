package cronjob

import (
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller"
	"github.com/tinykube/tinykube/core/loop"
)

// Config is what the controller needs from its world.
type Config struct {
	Loop     loop.Loop
	Client   *client.Client
	Recorder *client.Recorder
	// Zones resolves spec.timeZone. nil means FixedZones. realnode passes
	// time.LoadLocation.
	Zones func(name string) (*time.Location, error)
	// Admit, if set, replaces Admit: what a due run does about the Jobs
	// of the CronJob still active.
	Admit func(cj *api.CronJob, active []*api.Job) Admission
}

// Controller is the CronJob controller. It lives on one loop.
type Controller struct {
	loop     loop.Loop
	client   *client.Client
	recorder *client.Recorder
	zones    func(string) (*time.Location, error)
	admit    func(*api.CronJob, []*api.Job) Admission

	cronJobs *client.Informer[*api.CronJob]
	jobs     *client.Informer[*api.Job]
	queue    *client.Queue

	// unseen holds, per CronJob key, the Jobs this controller created (or
	// may have created: the answer was lost) that its Job informer has not
	// shown yet. Forbid and Replace must not forget them: a Job the cache
	// does not show yet is still running.
	unseen map[string]map[string]bool
	// missed remembers the last slot reported as missed per CronJob key,
	// so the MissSchedule event is sent once per slot, not per reconcile.
	missed map[string]time.Time
}

// New returns a controller; call Start to run it.
func New(cfg Config) *Controller {
	c := &Controller{loop: cfg.Loop, client: cfg.Client, recorder: cfg.Recorder, zones: cfg.Zones, admit: cfg.Admit,
		unseen: map[string]map[string]bool{}, missed: map[string]time.Time{}}
	if c.zones == nil {
		c.zones = FixedZones
	}
	if c.admit == nil {
		c.admit = Admit
	}
	c.cronJobs = client.NewInformer[*api.CronJob](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.jobs = client.NewInformer[*api.Job](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.jobs.AddIndex(byOwner, func(j *api.Job) []string {
		if ref := j.ControllerRef(); ref != nil && ref.Kind == "CronJob" {
			return []string{ref.UID}
		}
		return nil
	})
	c.queue = client.NewQueue(cfg.Loop, c.Reconcile)
	enqueue := func(cj *api.CronJob) { c.queue.Add(client.Key(cj)) }
	c.cronJobs.AddHandlers(client.Handlers[*api.CronJob]{
		Add:    enqueue,
		Update: func(_, cj *api.CronJob) { enqueue(cj) },
		Delete: func(cj *api.CronJob) {
			delete(c.unseen, client.Key(cj))
			delete(c.missed, client.Key(cj))
		},
	})
	c.jobs.AddHandlers(client.Handlers[*api.Job]{
		Add:    c.jobChanged,
		Update: func(_, j *api.Job) { c.jobChanged(j) },
		Delete: c.jobChanged,
	})
	return c
}

// byOwner indexes Jobs by the uid of the CronJob controlling them.
const byOwner = "cronjob-uid"

// Start starts the informers (Jobs first, so the Job cache is loaded
// before the first CronJob is reconciled).
func (c *Controller) Start() {
	c.jobs.Start()
	c.cronJobs.Start()
}

// Stop stops the informers and drops queued work.
func (c *Controller) Stop() {
	c.queue.Stop()
	c.cronJobs.Stop()
	c.jobs.Stop()
}

// jobChanged enqueues the CronJob controlling j, and marks j as seen.
func (c *Controller) jobChanged(j *api.Job) {
	cj := controller.ResolveControllerRef(c.cronJobs, j.Namespace, j.ControllerRef(), "batch", "CronJob")
	if cj == nil {
		return
	}
	key := client.Key(cj)
	delete(c.unseen[key], j.Name)
	c.queue.Add(key)
}
