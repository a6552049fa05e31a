package cronjob

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
	"github.com/tinykube/tinykube/core/rest"
)

var t0 = clienttest.Start

// transport can lose the answer to chosen Job creations: the create takes
// effect, the controller sees an error.
type transport struct {
	*clienttest.Transport
	creates  int
	loseNext int // lose the answers of this many next job creations
}

func (t *transport) Do(ctx context.Context, req *rest.Request) (*rest.Response, error) {
	if req.Method == http.MethodPost && strings.HasSuffix(req.Path, "/jobs") {
		t.creates++
		if t.loseNext > 0 {
			t.loseNext--
			t.Transport.Do(ctx, req)
			return nil, errors.New("injected: answer lost")
		}
	}
	return t.Transport.Do(ctx, req)
}

type env struct {
	*clienttest.Env
	t    *testing.T
	tr   *transport
	api  *client.Client
	ctrl *Controller
	// zones is what the next controller started uses.
	zones func(string) (*time.Location, error)
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ce := clienttest.New(t, 1, 2)
	e := &env{Env: ce, t: t, tr: &transport{Transport: ce.Transport}, api: ce.Client}
	e.start()
	return e
}

// start starts a fresh controller (a restarted controller manager knows
// nothing but what the API tells it).
func (e *env) start() {
	c := client.New(e.tr)
	e.ctrl = New(Config{Loop: e.Loop, Client: c, Recorder: client.NewRecorder(e.Loop, c, "cronjob-controller", ""), Zones: e.zones})
	e.ctrl.Start()
	e.Settle()
}

func (e *env) createCJ(name, schedule string, mutate func(*api.CronJob)) *api.CronJob {
	e.t.Helper()
	cj := &api.CronJob{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
		Spec: api.CronJobSpec{
			Schedule: schedule,
			JobTemplate: api.JobTemplateSpec{
				ObjectMeta: api.ObjectMeta{Labels: map[string]string{"team": "a"}},
				Spec: api.JobSpec{Template: api.PodTemplateSpec{Spec: api.PodSpec{
					RestartPolicy: api.RestartNever,
					Containers:    []api.Container{{Name: "c", Image: "busybox"}},
				}}},
			},
		},
	}
	if mutate != nil {
		mutate(cj)
	}
	out, err := client.For[*api.CronJob](e.api).Create(context.Background(), cj, client.WriteOptions{})
	if err != nil {
		e.t.Fatalf("create CronJob %s: %v", name, err)
	}
	e.Settle()
	return out
}

func (e *env) getCJ(name string) *api.CronJob {
	e.t.Helper()
	cj, err := client.For[*api.CronJob](e.api).Get(context.Background(), "default", name)
	if err != nil {
		e.t.Fatalf("get CronJob %s: %v", name, err)
	}
	return cj
}

func (e *env) patchCJ(name, patch string) {
	e.t.Helper()
	if _, err := client.For[*api.CronJob](e.api).Patch(context.Background(), "default", name, rest.ContentMergePatch, []byte(patch), "", client.WriteOptions{}); err != nil {
		e.t.Fatalf("patch CronJob %s: %v", name, err)
	}
	e.Settle()
}

// jobs returns the Jobs controlled by cj, not being deleted, by name.
func (e *env) jobs(cj *api.CronJob) []*api.Job {
	var out []*api.Job
	for _, j := range clienttest.List[*api.Job](e.t, e.api, "default") {
		if j.IsControlledBy(cj.UID) && j.DeletionTimestamp == nil {
			out = append(out, j)
		}
	}
	return out
}

func jobNames(jobs []*api.Job) []string {
	out := make([]string, len(jobs))
	for i, j := range jobs {
		out[i] = j.Name
	}
	return out
}

// finish marks j Complete (or Failed) as of now, as the Job controller
// would; it stands in for the Job controller in these tests.
func (e *env) finish(j *api.Job, cond string) {
	e.t.Helper()
	j, err := client.For[*api.Job](e.api).Get(context.Background(), j.Namespace, j.Name)
	if err != nil {
		e.t.Fatalf("get job: %v", err)
	}
	now := api.NewTime(e.Loop.Now())
	j.Status.Conditions = append(j.Status.Conditions, api.JobCondition{Type: cond, Status: api.ConditionTrue, LastTransitionTime: now})
	if cond == api.JobComplete {
		j.Status.CompletionTime = now
	}
	if _, err := client.For[*api.Job](e.api).UpdateStatus(context.Background(), j, client.WriteOptions{}); err != nil {
		e.t.Fatalf("finish job %s: %v", j.Name, err)
	}
	e.Settle()
}
