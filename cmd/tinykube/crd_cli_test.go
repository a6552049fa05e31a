package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// crontabs is the CronTab definition of Kubernetes' documentation, with
// printer columns, the category "all", and two objects, in one file, the
// objects first: apply must apply the definition first anyway.
const crontabs = `apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: c1
spec:
  cronSpec: "*/5 * * * *"
  image: my-cron-image
  replicas: 2
---
apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: c2
spec:
  cronSpec: "0 * * * *"
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names:
    plural: crontabs
    singular: crontab
    kind: CronTab
    shortNames: [ct]
    categories: [all]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
    additionalPrinterColumns:
    - {name: Spec, type: string, description: The cron spec defining the interval a CronJob is run, jsonPath: .spec.cronSpec}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Image, type: string, priority: 1, jsonPath: .spec.image}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            description: What the CronTab runs, and when.
            required: [cronSpec]
            properties:
              cronSpec: {type: string, description: "When to run, in cron syntax."}
              image: {type: string}
              replicas: {type: integer}
              ports:
                type: array
                items:
                  type: object
                  properties:
                    port: {type: integer}
          status:
            type: object
            x-kubernetes-preserve-unknown-fields: true
`

// TestCLICustomResources runs every command that names a resource on a
// CronTab: the CLI learns the kind from the server's discovery.
func TestCLICustomResources(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "crontab.yaml")
	if err := os.WriteFile(file, []byte(crontabs), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, filepath.Join(dir, "data"))
	defer s.Close()
	url := s.URL

	code, out, errOut := tk(t, url, "", "apply", "-f", file)
	want := "customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created\ncrontab.stable.example.com/c1 created\ncrontab.stable.example.com/c2 created\n"
	if code != 0 || out != want {
		t.Fatalf("apply = %d, stdout %q, stderr %q; want stdout %q", code, out, errOut, want)
	}
	if !strings.Contains(errOut, "waiting for customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com to be established") {
		t.Errorf("apply stderr = %q, want it to say it waits for the definition", errOut)
	}

	for _, tc := range []struct {
		args []string
		want string // a regexp the whole stdout must match
	}{
		{[]string{"get", "crontabs"}, `^NAME   SPEC          REPLICAS   AGE\nc1     \*/5 \* \* \* \*   2          \d+s\nc2     0 \* \* \* \*     +\d+s\n$`},
		{[]string{"get", "ct", "-o", "wide"}, `^NAME   SPEC          REPLICAS   IMAGE           AGE\nc1 .*my-cron-image .*\nc2 .*\n$`},
		{[]string{"get", "crontab.stable.example.com/c1", "-o", "yaml"}, `(?s)apiVersion: stable.example.com/v1\nkind: CronTab\n.*cronSpec: '\*/5 \* \* \* \*'`},
		{[]string{"get", "crontabs.v1.stable.example.com", "c2", "-o", "name"}, `^crontab.stable.example.com/c2\n$`},
		{[]string{"get", "ct", "-o", "jsonpath={range .items[*]}{.metadata.name}={.spec.replicas};{end}"}, `^c1=2;c2=;$`},
		{[]string{"get", "ct", "-o", "custom-columns=N:.metadata.name,IMG:.spec.image"}, `^N +IMG\nc1 +my-cron-image\nc2 +<none>\n$`},
		{[]string{"get", "crd"}, `^NAME                          CREATED AT\ncrontabs.stable.example.com   \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$`},
		{[]string{"get", "all"}, `(?s)NAME\s+SPEC\s+REPLICAS\s+AGE\ncrontab.stable.example.com/c1 .*crontab.stable.example.com/c2 `},
		{[]string{"describe", "crontab", "c1"}, `(?s)^Name:         c1\nNamespace:    default\n.*API Version:  stable.example.com/v1\nKind:         CronTab\nMetadata:\n  Creation Timestamp: .*Spec:\n  Cron Spec:  \*/5 \* \* \* \*\n  Image:      my-cron-image\n  Replicas:   2\nEvents: +<none>\n$`},
		{[]string{"explain", "crontab.spec"}, `(?s)^GROUP:      stable.example.com\nKIND:       CronTab\nVERSION:    v1\n\nFIELD: spec <Object>\n\nDESCRIPTION:\n    What the CronTab runs, and when.\nFIELDS:\n  cronSpec\t<string> -required-\n    When to run, in cron syntax.\n\n  image\t<string>\n    <no description>\n\n  ports\t<\[\]Object>\n.*replicas\t<integer>\n`},
		{[]string{"explain", "ct.spec.ports.port"}, `(?s)FIELD: port <integer>`},
		{[]string{"api-resources"}, `(?m)^crontabs\s+ct\s+stable.example.com/v1\s+true\s+CronTab$`},
		{[]string{"api-resources", "-o", "wide"}, `(?m)^crontabs\s+ct\s+stable.example.com/v1\s+true\s+CronTab\s+create,delete,get,list,patch,update,watch\s+all$`},
		{[]string{"delete", "crontab", "c2"}, `^crontab.stable.example.com "c2" deleted\n$`},
	} {
		code, out, errOut := tk(t, url, "", tc.args...)
		if code != 0 || !regexp.MustCompile(tc.want).MatchString(out) {
			t.Errorf("tinykube %s = %d\nstdout:\n%s\nstderr: %s\nwant stdout matching %s", strings.Join(tc.args, " "), code, out, errOut, tc.want)
		}
	}
	if code, _, errOut := tk(t, url, "", "get", "ct", "c2"); code == 0 || !strings.Contains(errOut, `crontabs.stable.example.com "c2" not found`) {
		t.Errorf("get ct c2 after delete = %d, stderr %q; want NotFound", code, errOut)
	}
	if code, _, errOut := tk(t, url, "", "get", "widgets"); code == 0 || !strings.Contains(errOut, `the server doesn't have a resource type "widgets"`) {
		t.Errorf("get widgets = %d, stderr %q; want an unknown-resource error", code, errOut)
	}
}
