// Package cronjob is the CronJob controller: at each time a CronJob's
// schedule fires it creates a Job from the job template, named after the
// CronJob and the scheduled minute so that a create repeated after a
// crash or a lost answer meets AlreadyExists instead of making a second
// Job for the same slot. It honours concurrencyPolicy (Allow, Forbid,
// Replace), startingDeadlineSeconds, suspend and the history limits, and
// keeps status.active, lastScheduleTime and lastSuccessfulTime. After
// downtime it runs only the most recent missed slot, as Kubernetes does.
//
// The schedule parser lives in core/api (validation needs it). Time zones
// come from Config.Zones: realnode passes time.LoadLocation (the tz
// database is file IO, forbidden in core); the simulator passes
// FixedZones, which knows UTC and the fixed-offset Etc/GMT±N zones only,
// so that a replay never depends on the host's tz database version.
//
// Book: chapter 9, "Workloads" (book/09-workloads.md, "CronJobs").
package cronjob
