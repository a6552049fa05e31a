package cronjob

import (
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// createJobForTest makes the Job for slot as a reconcile would.
func (c *Controller) createJobForTest(cj *api.CronJob, slot time.Time) error {
	j, err := c.createJob(client.Key(cj), cj, slot)
	if err == nil && j == nil {
		return errNotOurs
	}
	return err
}

var errNotOurs = errorString("the name is taken by a Job that is not ours")

type errorString string

func (e errorString) Error() string { return string(e) }
