package cronjob

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

func ptr[T any](v T) *T { return &v }

func slotName(name string, at time.Time) string { return fmt.Sprintf("%s-%d", name, at.Unix()/60) }

func TestCreatesOneJobPerSlotWithDeterministicNames(t *testing.T) {
	e := newEnv(t)
	cj := e.createCJ("tick", "*/1 * * * *", nil)
	if got := e.jobs(cj); len(got) != 0 {
		t.Fatalf("jobs before the first slot = %v, want none", jobNames(got))
	}
	e.RunFor(3*time.Minute + 30*time.Second)
	want := []string{slotName("tick", t0.Add(time.Minute)), slotName("tick", t0.Add(2*time.Minute)), slotName("tick", t0.Add(3*time.Minute))}
	got := e.jobs(cj)
	if !slices.Equal(jobNames(got), want) {
		t.Fatalf("jobs = %v, want %v", jobNames(got), want)
	}
	j := got[0]
	if a := j.Annotations[ScheduledTimestampAnnotation]; a != "2026-01-01T00:01:00Z" {
		t.Errorf("scheduled-timestamp annotation = %q, want 2026-01-01T00:01:00Z", a)
	}
	if ref := j.ControllerRef(); ref == nil || ref.UID != cj.UID || ref.Kind != "CronJob" {
		t.Errorf("controller ref = %+v, want the CronJob", ref)
	}
	if j.Labels["team"] != "a" {
		t.Errorf("labels = %v, want the template's", j.Labels)
	}
	st := e.getCJ("tick").Status
	if len(st.Active) != 3 || st.LastScheduleTime == nil || !st.LastScheduleTime.Equal(t0.Add(3*time.Minute)) {
		t.Errorf("status = %+v, want 3 active and lastScheduleTime 00:03", st)
	}
	if n := len(e.Events("SuccessfulCreate")); n != 3 {
		t.Errorf("SuccessfulCreate events = %d, want 3", n)
	}
}

func TestLostCreateAnswerMakesNoSecondJob(t *testing.T) {
	e := newEnv(t)
	cj := e.createCJ("tick", "*/1 * * * *", func(c *api.CronJob) { c.Spec.ConcurrencyPolicy = api.ForbidConcurrent })
	// The first create takes effect but its answer is lost, and the Job
	// informer shows nothing new for three minutes: Forbid must still
	// know the Job may be running.
	e.tr.loseNext = 1
	e.tr.Hold("jobs")
	e.RunFor(3*time.Minute + 30*time.Second)
	got := e.jobs(cj)
	if !slices.Equal(jobNames(got), []string{slotName("tick", t0.Add(time.Minute))}) {
		t.Fatalf("jobs = %v, want just the 00:01 one", jobNames(got))
	}
	e.tr.Release()
	e.Settle()
	// A restarted controller that retries the slot meets AlreadyExists.
	e.ctrl.Stop()
	e.patchCJ("tick", `{"spec":{"concurrencyPolicy":"Allow"}}`)
	if err := e.ctrl.createJobForTest(e.getCJ("tick"), t0.Add(time.Minute)); err != nil {
		t.Fatalf("repeated create: %v", err)
	}
	if got := e.jobs(cj); len(got) != 1 {
		t.Errorf("jobs after a repeated create = %v, want 1", jobNames(got))
	}
}

func TestForbidSkipsSlotsWhileAJobRuns(t *testing.T) {
	e := newEnv(t)
	cj := e.createCJ("f", "*/1 * * * *", func(c *api.CronJob) { c.Spec.ConcurrencyPolicy = api.ForbidConcurrent })
	e.RunFor(3*time.Minute + 30*time.Second)
	got := e.jobs(cj)
	if len(got) != 1 {
		t.Fatalf("jobs = %v, want one (Forbid)", jobNames(got))
	}
	if len(e.Events("JobAlreadyActive")) == 0 {
		t.Errorf("no JobAlreadyActive event")
	}
	e.finish(got[0], api.JobComplete)
	if st := e.getCJ("f").Status; len(st.Active) != 1 || st.Active[0].Name != slotName("f", t0.Add(3*time.Minute)) || st.LastSuccessfulTime == nil {
		t.Errorf("status after completion = %+v, want the next job active and lastSuccessfulTime set", st)
	}
	if len(e.Events("SawCompletedJob")) != 1 {
		t.Errorf("SawCompletedJob events = %v", e.Events("SawCompletedJob"))
	}
	// The 00:03 slot was missed while the first ran; it runs now, late
	// (no deadline), as Kubernetes does.
	got = e.jobs(cj)
	if len(got) != 2 || got[1].Name != slotName("f", t0.Add(3*time.Minute)) {
		t.Fatalf("jobs = %v, want the first and the 00:03 one", jobNames(got))
	}
}

func TestReplaceDeletesTheActiveJob(t *testing.T) {
	e := newEnv(t)
	cj := e.createCJ("r", "*/1 * * * *", func(c *api.CronJob) { c.Spec.ConcurrencyPolicy = api.ReplaceConcurrent })
	e.RunFor(2*time.Minute + 30*time.Second)
	got := e.jobs(cj)
	if !slices.Equal(jobNames(got), []string{slotName("r", t0.Add(2*time.Minute))}) {
		t.Fatalf("jobs = %v, want only the 00:02 one", jobNames(got))
	}
	if d := e.Events("SuccessfulDelete"); len(d) != 1 || !strings.Contains(d[0], slotName("r", t0.Add(time.Minute))) {
		t.Errorf("SuccessfulDelete events = %v", d)
	}
}

func TestAllowRunsConcurrently(t *testing.T) {
	e := newEnv(t)
	cj := e.createCJ("a", "*/2 * * * *", nil)
	e.RunFor(6 * time.Minute)
	if got := e.jobs(cj); len(got) != 3 {
		t.Fatalf("jobs = %v, want 3 running side by side", jobNames(got))
	}
}

func TestMissedSlotsAfterDowntimeRunOnlyTheLast(t *testing.T) {
	e := newEnv(t)
	cj := e.createCJ("m", "*/1 * * * *", nil)
	e.RunFor(time.Minute + 10*time.Second)
	e.ctrl.Stop()
	e.RunFor(5 * time.Minute) // down from 00:01:10 to 00:06:10
	e.start()
	got := e.jobs(cj)
	want := []string{slotName("m", t0.Add(time.Minute)), slotName("m", t0.Add(6*time.Minute))}
	if !slices.Equal(jobNames(got), want) {
		t.Fatalf("jobs = %v, want %v (only the most recent missed slot)", jobNames(got), want)
	}
	if n := len(e.Events("TooManyMissedTimes")); n != 0 {
		t.Errorf("TooManyMissedTimes after 5 missed slots")
	}

	e.ctrl.Stop()
	e.RunFor(3 * time.Hour)
	e.start()
	if ev := e.Events("TooManyMissedTimes"); len(ev) != 1 || !strings.Contains(ev[0], "too many missed start times") {
		t.Errorf("TooManyMissedTimes events = %v", ev)
	}
	if got := e.jobs(cj); len(got) != 3 || got[2].Name != slotName("m", t0.Add(3*time.Hour+6*time.Minute)) {
		t.Errorf("jobs = %v, want one more, for 03:06", jobNames(got))
	}
}

func TestStartingDeadlineSkipsLateSlots(t *testing.T) {
	e := newEnv(t)
	cj := e.createCJ("d", "*/10 * * * *", func(c *api.CronJob) { c.Spec.StartingDeadlineSeconds = ptr[int64](60) })
	e.ctrl.Stop()
	e.RunFor(12 * time.Minute) // the 00:10 slot is 2 minutes late
	e.start()
	if got := e.jobs(cj); len(got) != 0 {
		t.Fatalf("jobs = %v, want none: the slot is past its deadline", jobNames(got))
	}
	if ev := e.Events("MissSchedule"); len(ev) != 1 {
		t.Errorf("MissSchedule events = %v, want one", ev)
	}
	e.RunFor(8*time.Minute + 30*time.Second)
	if got := e.jobs(cj); !slices.Equal(jobNames(got), []string{slotName("d", t0.Add(20*time.Minute))}) {
		t.Errorf("jobs = %v, want the 00:20 one, on time", jobNames(got))
	}
	// Within the deadline, a late slot still runs.
	e.ctrl.Stop()
	e.RunFor(10 * time.Minute) // to 00:30:30
	e.start()
	if got := e.jobs(cj); len(got) != 2 {
		t.Errorf("jobs = %v, want the 00:30 one too, 30s late", jobNames(got))
	}
}

func TestHistoryLimitsDeleteTheOldestFinished(t *testing.T) {
	e := newEnv(t)
	cj := e.createCJ("h", "*/1 * * * *", func(c *api.CronJob) {
		c.Spec.SuccessfulJobsHistoryLimit = ptr[int32](2)
		c.Spec.FailedJobsHistoryLimit = ptr[int32](1)
	})
	for i := 0; i < 6; i++ {
		e.RunFor(time.Minute)
		got := e.jobs(cj)
		cond := api.JobComplete
		if i%2 == 1 {
			cond = api.JobFailed
		}
		e.finish(got[len(got)-1], cond)
	}
	m := func(i int) string { return slotName("h", t0.Add(time.Duration(i)*time.Minute)) }
	// Slots 1, 3, 5 succeeded, 2, 4, 6 failed: keep 3, 5 and 6.
	if got, want := jobNames(e.jobs(cj)), []string{m(3), m(5), m(6)}; !slices.Equal(got, want) {
		t.Errorf("jobs kept = %v, want %v", got, want)
	}
}

func TestSuspendStopsScheduling(t *testing.T) {
	e := newEnv(t)
	cj := e.createCJ("s", "*/1 * * * *", func(c *api.CronJob) { c.Spec.Suspend = ptr(true) })
	e.RunFor(3 * time.Minute)
	if got := e.jobs(cj); len(got) != 0 {
		t.Fatalf("suspended CronJob made jobs %v", jobNames(got))
	}
	e.patchCJ("s", `{"spec":{"suspend":false}}`)
	// Resumed: the most recent missed slot runs at once, then on schedule.
	if got := e.jobs(cj); !slices.Equal(jobNames(got), []string{slotName("s", t0.Add(3*time.Minute))}) {
		t.Fatalf("jobs after resume = %v", jobNames(got))
	}
	e.RunFor(time.Minute)
	if got := e.jobs(cj); len(got) != 2 {
		t.Errorf("jobs = %v, want 2", jobNames(got))
	}
}

func TestTimeZones(t *testing.T) {
	e := newEnv(t)
	// Etc/GMT-3 is three hours ahead of UTC: 03:00 there is 00:00 UTC.
	cj := e.createCJ("tz", "0 3 * * *", func(c *api.CronJob) { c.Spec.TimeZone = ptr("Etc/GMT-3") })
	utc := e.createCJ("utc", "0 3 * * *", nil)
	e.RunFor(24 * time.Hour)
	if got := e.jobs(cj); !slices.Equal(jobNames(got), []string{slotName("tz", t0.Add(24*time.Hour))}) {
		t.Errorf("Etc/GMT-3 jobs = %v, want one at 00:00 UTC the next day", jobNames(got))
	}
	if got := e.jobs(utc); !slices.Equal(jobNames(got), []string{slotName("utc", t0.Add(3*time.Hour))}) {
		t.Errorf("UTC jobs = %v, want one at 03:00", jobNames(got))
	}
	if a := e.jobs(cj)[0].Annotations[ScheduledTimestampAnnotation]; a != "2026-01-02T03:00:00+03:00" {
		t.Errorf("annotation = %q, want the slot in its zone", a)
	}
	// A zone the lookup does not know: an event, no jobs.
	bad := e.createCJ("bad", "*/1 * * * *", func(c *api.CronJob) { c.Spec.TimeZone = ptr("Mars/Olympus_Mons") })
	e.RunFor(2 * time.Minute)
	if got := e.jobs(bad); len(got) != 0 || len(e.Events("UnknownTimeZone")) == 0 {
		t.Errorf("unknown zone: jobs %v, events %v", jobNames(got), e.Events("UnknownTimeZone"))
	}
}

func TestZonesFromConfig(t *testing.T) {
	e := newEnv(t)
	e.ctrl.Stop()
	e.zones = func(name string) (*time.Location, error) {
		if name == "Asia/Kolkata" {
			return time.FixedZone("IST", 5*3600+1800), nil
		}
		return FixedZones(name)
	}
	e.start()
	cj := e.createCJ("in", "30 5 * * *", func(c *api.CronJob) { c.Spec.TimeZone = ptr("Asia/Kolkata") })
	e.RunFor(time.Hour)
	if got := e.jobs(cj); !slices.Equal(jobNames(got), []string{slotName("in", t0)}) {
		// 05:30 IST on Jan 1 is 00:00 UTC, which is not after creation;
		// the next one is a day later.
		if len(got) != 0 {
			t.Errorf("jobs = %v", jobNames(got))
		}
	}
	e.RunFor(24 * time.Hour)
	if got := e.jobs(cj); !slices.Equal(jobNames(got), []string{slotName("in", t0.Add(24*time.Hour))}) {
		t.Errorf("jobs = %v, want one at 00:00 UTC on Jan 2 (05:30 IST)", jobNames(got))
	}
}

func TestFixedZones(t *testing.T) {
	for name, off := range map[string]int{"UTC": 0, "Etc/UTC": 0, "Etc/GMT+5": -5 * 3600, "Etc/GMT-14": 14 * 3600} {
		loc, err := FixedZones(name)
		if err != nil {
			t.Errorf("FixedZones(%q): %v", name, err)
			continue
		}
		if _, got := t0.In(loc).Zone(); got != off {
			t.Errorf("FixedZones(%q) offset = %d, want %d", name, got, off)
		}
	}
	if _, err := FixedZones("Europe/Berlin"); err == nil {
		t.Errorf("FixedZones(Europe/Berlin) = nil error, want unknown")
	}
}
