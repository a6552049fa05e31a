package printers

import (
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/api"
)

func TestDescribe(t *testing.T) {
	for _, tc := range []struct {
		golden string
		obj    api.Object
		events []api.Event
	}{
		{"pod", webPod(), podEvents()},
		{"pod-crashloop", crashPod(), nil},
		{"pod-terminating", pods()[2], nil},
		{"deployment", webDeployment(), nil},
		{"replicaset", replicaSets()[0], nil},
		{"service-without-endpoints", services()[2], nil},
		{"node", nodes()[0], nil},
		{"node-notready", notReadyNode(), nil},
		{"namespace", namespaces()[2], nil},
		{"configmap", configMaps()[1], nil},
		{"secret", secrets()[0], nil},
		{"lease", leases()[0], nil},
		{"endpoints", endpoints()[1], nil},
		{"replicationcontroller", replicationControllers()[0], nil},
		{"statefulset", statefulSets()[0], nil},
		{"daemonset", daemonSets()[0], nil},
		{"job", jobs()[0], nil},
		{"job-running", jobs()[1], nil},
		{"cronjob", cronJobs()[0], nil},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			var b strings.Builder
			if err := Describe(&b, tc.obj, tc.events, now); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "describe-"+tc.golden, b.String())
		})
	}
}

func TestDescribeService(t *testing.T) {
	var b strings.Builder
	if err := DescribeService(&b, webService(), webEndpoints(), nil, now); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "describe-service", b.String())
}

func TestDescribeSecretHidesValues(t *testing.T) {
	var b strings.Builder
	if err := Describe(&b, secrets()[0], nil, now); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "hunter2") {
		t.Errorf("Describe(secret) printed a secret value:\n%s", b.String())
	}
}

func TestSmartLabel(t *testing.T) {
	for in, want := range map[string]string{
		"holderIdentity":       "Holder Identity",
		"apiVersion":           "API Version",
		"leaseDurationSeconds": "Lease Duration Seconds",
		"ip":                   "IP",
		"podIPs":               "Pod IPs",
		"HTTPGet":              "HTTP Get",
		"nginx.conf":           "nginx.conf",
		"kind":                 "Kind",
	} {
		if got := smartLabel(in); got != want {
			t.Errorf("smartLabel(%q) = %q, want %q", in, got, want)
		}
	}
}
