package cronjob

import "github.com/tinykube/tinykube/core/api"

// Admission is what a due run of a CronJob does about the Jobs it made
// earlier that are still active.
type Admission int

const (
	// Start the new Job beside them (or there are none).
	Start Admission = iota
	// Skip this run: a Job is still active and the policy is Forbid.
	Skip
	// ReplaceActive deletes the active Jobs, then starts the new one.
	ReplaceActive
)

// Admit decides by spec.concurrencyPolicy: Allow (the default) starts the
// run whatever is active, Forbid skips it while a Job is active, Replace
// deletes the active Jobs first. active are the CronJob's unfinished Jobs,
// as far as the controller knows (its cache plus the ones it made that
// the cache does not show yet).
func Admit(cj *api.CronJob, active []*api.Job) Admission {
	if len(active) == 0 {
		return Start
	}
	switch cj.Spec.ConcurrencyPolicy {
	case api.ForbidConcurrent:
		return Skip
	case api.ReplaceConcurrent:
		return ReplaceActive
	}
	return Start
}
