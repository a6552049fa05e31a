package main

import (
	"strings"
	"testing"
)

// volumesPod is a pod that uses every volume source tinykube knows, takes
// environment from a ConfigMap, a Secret and the pod itself, and mounts
// volumes read-only, read-write and with a subPath. Its node does not
// exist, so nothing changes it while the test reads it.
const volumesPod = `apiVersion: v1
kind: Pod
metadata: {name: cfg, labels: {app: cfg}}
spec:
  nodeName: node-x
  containers:
  - name: app
    image: busybox:1.36
    command: [sh, -c, sleep 3600]
    env:
    - {name: MODE, valueFrom: {configMapKeyRef: {name: app, key: mode}}}
    - {name: PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password, optional: true}}}
    - {name: POD, valueFrom: {fieldRef: {apiVersion: v1, fieldPath: metadata.name}}}
    - {name: PLAIN, value: hello}
    envFrom:
    - configMapRef: {name: app}
    - prefix: DB_
      secretRef: {name: db, optional: true}
    volumeMounts:
    - {name: config, mountPath: /etc/config, readOnly: true}
    - {name: creds, mountPath: /etc/creds}
    - {name: scratch, mountPath: /scratch}
    - {name: host, mountPath: /host, subPath: logs}
    - {name: data, mountPath: /data}
  - name: side
    image: busybox:1.36
    volumeMounts:
    - {name: scratch, mountPath: /scratch}
  volumes:
  - {name: config, configMap: {name: app}}
  - {name: creds, secret: {secretName: db, defaultMode: 0400, optional: true}}
  - {name: scratch, emptyDir: {medium: Memory, sizeLimit: 64Mi}}
  - {name: host, hostPath: {path: /var/log, type: Directory}}
  - {name: data, persistentVolumeClaim: {claimName: data-0, readOnly: true}}
  - {name: tmp, emptyDir: {}}
`

// TestDescribePodVolumes checks describe pod's Volumes, Mounts and
// Environment against testdata/describe_pod_volumes.golden, which was
// compared line by line with kubectl 1.32's describe of the same pod.
func TestDescribePodVolumes(t *testing.T) {
	url := memServer(t)
	for _, args := range [][]string{
		{"create", "configmap", "app", "--from-literal=mode=fast"},
		{"create", "secret", "generic", "db", "--from-literal=password=s3cret"},
	} {
		if code, out, errOut := tk(t, url, "", args...); code != 0 {
			t.Fatalf("%q = %d %q %q", args, code, out, errOut)
		}
	}
	if code, out, errOut := tk(t, url, volumesPod, "apply", "-f", "-"); code != 0 {
		t.Fatalf("apply = %d %q %q", code, out, errOut)
	}
	code, out, errOut := tk(t, url, "", "describe", "pod", "cfg")
	if code != 0 {
		t.Fatalf("describe pod cfg = %d %q", code, errOut)
	}
	goldenFile(t, "describe_pod_volumes.golden", out)
	// The values of the Secret never appear, only its name and key.
	if strings.Contains(out, "s3cret") {
		t.Errorf("describe shows a secret's value:\n%s", out)
	}
}
