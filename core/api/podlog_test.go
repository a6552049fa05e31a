package api

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPodLogOptionsRoundTrip(t *testing.T) {
	for _, o := range []PodLogOptions{
		{},
		{Container: "app", Follow: true, Previous: true, TailLines: 0, HasTail: true, LimitBytes: 10},
		{TailLines: 20, HasTail: true},
	} {
		got, err := ParsePodLogOptions(o.Query())
		if err != nil || !cmp.Equal(got, o) {
			t.Errorf("ParsePodLogOptions(%v) = %+v, %v; want %+v", o.Query(), got, err, o)
		}
	}
	for _, q := range []string{"follow=yes", "previous=2", "tailLines=-1", "tailLines=x", "limitBytes=0", "limitBytes=-5"} {
		v, _ := url.ParseQuery(q)
		name, _, _ := strings.Cut(q, "=")
		if _, err := ParsePodLogOptions(v); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("ParsePodLogOptions(%s) = %v, want an error naming %s", q, err, name)
		}
	}
}

func TestPodExecOptionsRoundTrip(t *testing.T) {
	o := PodExecOptions{Container: "app", Command: []string{"sh", "-c", "echo a b"}, TimeoutSeconds: 5}
	got, err := ParsePodExecOptions(o.Query())
	if err != nil || !cmp.Equal(got, o) {
		t.Errorf("ParsePodExecOptions(%v) = %+v, %v; want %+v", o.Query(), got, err, o)
	}
	if _, err := ParsePodExecOptions(url.Values{"container": {"app"}}); err == nil || !strings.Contains(err.Error(), "no command") {
		t.Errorf("ParsePodExecOptions without a command = %v, want an error", err)
	}
}
