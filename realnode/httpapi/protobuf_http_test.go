package httpapi

import (
	"bytes"
	"encoding/json"
	"github.com/tinykube/tinykube/core/store"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/tinykube/tinykube/core/api"
)

// kindManifests holds a valid object of every kind tinykube serves, as
// JSON with the fields tinykube supports; %s is its name.
var kindManifests = map[string]string{
	// The name of a definition is its plural and group, so the name
	// appears twice (each "%s" becomes the object's name).
	"CustomResourceDefinition": `{"metadata":{"name":"widgets.%s.example.com"},"spec":{"group":"%s.example.com","scope":"Namespaced",
		"names":{"plural":"widgets","singular":"widget","kind":"Widget","shortNames":["wd"],"categories":["all"]},
		"versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{},"scale":{"specReplicasPath":".spec.replicas","statusReplicasPath":".status.replicas"}},
		"additionalPrinterColumns":[{"name":"Replicas","type":"integer","jsonPath":".spec.replicas"}],
		"schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{"type":"object","required":["replicas"],
		"x-kubernetes-validations":[{"rule":"self.replicas >= 0","message":"no negative replicas"}],
		"properties":{"replicas":{"type":"integer","minimum":0,"default":1},"port":{"x-kubernetes-int-or-string":true},"mode":{"type":"string","enum":["a","b"]}}},
		"status":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}}]}}`,
	"Namespace": `{"metadata":{"name":"%s","labels":{"team":"a"}}}`,
	"Node":      `{"metadata":{"name":"%s","labels":{"zone":"z1"}},"spec":{"unschedulable":true,"taints":[{"key":"k","value":"v","effect":"NoSchedule"}]}}`,
	"Pod": `{"metadata":{"name":"%s","labels":{"app":"web"},"annotations":{"a.b/c":"d"}},"spec":{"restartPolicy":"OnFailure","containers":[{"name":"c","image":"busybox","command":["sh","-c"],"args":["sleep 1"],
		"ports":[{"containerPort":80,"protocol":"TCP"}],"env":[{"name":"A","value":"b"}],"resources":{"requests":{"cpu":"100m","memory":"64Mi"},"limits":{"cpu":"1"}},
		"readinessProbe":{"httpGet":{"path":"/","port":80},"periodSeconds":5}}],"volumes":[{"name":"v","emptyDir":{}}],"nodeSelector":{"disk":"ssd"},"terminationGracePeriodSeconds":0}}`,
	"Service":        `{"metadata":{"name":"%s"},"spec":{"selector":{"app":"web"},"ports":[{"name":"http","port":80,"targetPort":8080,"protocol":"TCP"}]}}`,
	"Endpoints":      `{"metadata":{"name":"%s"},"subsets":[{"addresses":[{"ip":"10.0.0.1"}],"ports":[{"port":80,"protocol":"TCP"}]}]}`,
	"Event":          `{"metadata":{"name":"%s"},"involvedObject":{"kind":"Pod","namespace":"default","name":"p"},"reason":"Started","message":"m","type":"Normal","count":2}`,
	"ConfigMap":      `{"metadata":{"name":"%s"},"data":{"k":"v"},"binaryData":{"b":"AAE="}}`,
	"Secret":         `{"metadata":{"name":"%s"},"type":"Opaque","data":{"a":"Yg=="}}`,
	"ServiceAccount": `{"metadata":{"name":"%s"}}`,
	"PersistentVolume": `{"metadata":{"name":"%s","labels":{"tier":"fast"}},"spec":{"capacity":{"storage":"2Gi"},"accessModes":["ReadWriteOnce"],"persistentVolumeReclaimPolicy":"Delete","storageClassName":"manual","local":{"path":"/mnt/disk1"},
		"nodeAffinity":{"required":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"kubernetes.io/hostname","operator":"In","values":["n1"]}]}]}}}}`,
	"StorageClass":              `{"metadata":{"name":"%s"},"provisioner":"tinykube.io/local-path","reclaimPolicy":"Retain","volumeBindingMode":"WaitForFirstConsumer"}`,
	"PersistentVolumeClaim":     `{"metadata":{"name":"%s"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}`,
	"ReplicaSet":                `{"metadata":{"name":"%s"},"spec":{"replicas":0,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}`,
	"Deployment":                `{"metadata":{"name":"%s"},"spec":{"replicas":0,"selector":{"matchLabels":{"app":"web"}},"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1,"maxUnavailable":"25%%"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}`,
	"StatefulSet":               `{"metadata":{"name":"%s"},"spec":{"replicas":1,"serviceName":"s","selector":{"matchLabels":{"app":"db"}},"template":{"metadata":{"labels":{"app":"db"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}`,
	"DaemonSet":                 `{"metadata":{"name":"%s"},"spec":{"selector":{"matchLabels":{"app":"ds"}},"template":{"metadata":{"labels":{"app":"ds"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}`,
	"Job":                       `{"metadata":{"name":"%s"},"spec":{"completions":2,"parallelism":1,"backoffLimit":3,"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}`,
	"CronJob":                   `{"metadata":{"name":"%s"},"spec":{"schedule":"*/5 * * * *","concurrencyPolicy":"Forbid","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"c","image":"busybox"}]}}}}}}`,
	"Lease":                     `{"metadata":{"name":"%s"},"spec":{"holderIdentity":"me","leaseDurationSeconds":15}}`,
	"PodDisruptionBudget":       `{"metadata":{"name":"%s"},"spec":{"minAvailable":"50%%","selector":{"matchLabels":{"app":"web"}},"unhealthyPodEvictionPolicy":"AlwaysAllow"}}`,
	"HorizontalPodAutoscaler":   `{"metadata":{"name":"%s"},"spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"minReplicas":1,"maxReplicas":5,"metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":50}}}],"behavior":{"scaleUp":{"stabilizationWindowSeconds":0,"selectPolicy":"Max","policies":[{"type":"Pods","value":4,"periodSeconds":15}]},"scaleDown":{"stabilizationWindowSeconds":300,"selectPolicy":"Max","policies":[{"type":"Percent","value":100,"periodSeconds":15}]}}}}`,
	"Role":                      `{"metadata":{"name":"%s"},"rules":[{"verbs":["get","list"],"apiGroups":[""],"resources":["pods","pods/log"],"resourceNames":["a"]}]}`,
	"ClusterRole":               `{"metadata":{"name":"%s"},"rules":[{"verbs":["get"],"nonResourceURLs":["/healthz","/metrics/*"]}],"aggregationRule":{"clusterRoleSelectors":[{"matchLabels":{"agg":"yes"}}]}}`,
	"RoleBinding":               `{"metadata":{"name":"%s"},"subjects":[{"kind":"ServiceAccount","name":"default","namespace":"default"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"}}`,
	"ClusterRoleBinding":        `{"metadata":{"name":"%s"},"subjects":[{"kind":"Group","apiGroup":"rbac.authorization.k8s.io","name":"devs"},{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"jane"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"}}`,
	"CertificateSigningRequest": `{"metadata":{"name":"%s"},"spec":{"request":"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlIWU1JR0FBZ0VBTUI0eERUQUxCZ05WQkFvVEJHUmxkbk14RFRBTEJnTlZCQU1UQkdwaGJtVXdXVEFUQmdjcQpoa2pPUFFJQkJnZ3Foa2pPUFFNQkJ3TkNBQVI3Z2FNNWV6NVVmMjhBVzV1S2VSa3R5ZXJXVVhsbFBHQUhiYldrCjBwNDhWcE83Z0J4TjJDNjdtUnJHNkVRYTQwMFg2TXE1SXBpcU5zeEZ2WTRyeE1ncm9BQXdDZ1lJS29aSXpqMEUKQXdJRFJ3QXdSQUlnR1pjZ1FDcTdMZy8vWVhoM0E5cmczTzZNVkVqU1NiQm00RDl3L3huNVdlOENJSGpJVnFaVApJYnRsT1kvU3QvZHJFaEQ0cFlMa2xxWVVlSjhodEs2ZzNSbHYKLS0tLS1FTkQgQ0VSVElGSUNBVEUgUkVRVUVTVC0tLS0tCg==","signerName":"kubernetes.io/kube-apiserver-client","expirationSeconds":3600,"usages":["client auth"]}}`,
}

// collectionURL is where objects of res are created in namespace default.
func collectionURL(base string, res *api.Resource) string {
	u := base + "/api/" + res.Version
	if res.Group != "" {
		u = base + "/apis/" + res.APIVersion()
	}
	if res.Namespaced {
		u += "/namespaces/default"
	}
	return u + "/" + res.Plural
}

func post(t *testing.T, url, contentType, accept string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// serverSet lists what the server fills in differently for two creates
// of the same object: identity, time, and allocated addresses.
func dropServerSet(m map[string]any) {
	meta, _ := m["metadata"].(map[string]any)
	for _, k := range []string{"resourceVersion", "creationTimestamp"} {
		delete(meta, k)
	}
	if spec, ok := m["spec"].(map[string]any); ok {
		delete(spec, "clusterIP")
		delete(spec, "clusterIPs")
	}
}

// TestEveryKindCreatesAlikeInProtobufAndJSON creates each kind once as
// JSON and once as protobuf (k8s.io/api type, Accept protobuf) over HTTP,
// and checks that tinykube stored and answered the same object both ways
// and warned about nothing the protobuf client did not send.
func TestEveryKindCreatesAlikeInProtobufAndJSON(t *testing.T) {
	_, hs, _ := serve(t)
	for _, res := range api.Resources() {
		if res.Virtual {
			// Reviews are answered, not stored: their protobuf round
			// trips are checked where they are served.
			continue
		}
		t.Run(res.Kind, func(t *testing.T) {
			manifest, ok := kindManifests[res.Kind]
			if !ok {
				t.Fatalf("no manifest for %s: add one to kindManifests", res.Kind)
			}
			name := strings.ToLower(res.Kind)
			jsonBody := []byte(strings.ReplaceAll(manifest, "%s", name+"-json"))
			jsonBody = bytes.ReplaceAll(jsonBody, []byte("%%"), []byte("%"))
			resp, jsonAnswer := post(t, collectionURL(hs.URL, res), "application/json", "application/json", jsonBody)
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("JSON create: %s %s", resp.Status, jsonAnswer)
			}
			jsonWarnings := resp.Header.Values("Warning")

			typed, _ := protoScheme.New(gvkOf(res))
			if err := json.Unmarshal(bytes.ReplaceAll(jsonBody, []byte(name+"-json"), []byte(name+"-proto")), typed); err != nil {
				t.Fatal(err)
			}
			typed.GetObjectKind().SetGroupVersionKind(gvkOf(res))
			var pb bytes.Buffer
			if err := protoSerializer.Encode(typed, &pb); err != nil {
				t.Fatal(err)
			}
			resp, pbAnswer := post(t, collectionURL(hs.URL, res), ContentProtobuf, ContentProtobuf, pb.Bytes())
			if resp.StatusCode != http.StatusCreated || resp.Header.Get("Content-Type") != ContentProtobuf {
				t.Fatalf("protobuf create: %s, Content-Type %s: %q", resp.Status, resp.Header.Get("Content-Type"), pbAnswer)
			}
			if diff := cmp.Diff(jsonWarnings, resp.Header.Values("Warning")); diff != "" {
				t.Errorf("protobuf create warned differently from the JSON one (-json +protobuf):\n%s", diff)
			}
			back, _, err := protoSerializer.Decode(pbAnswer, nil, nil)
			if err != nil {
				t.Fatalf("the protobuf answer does not decode: %v", err)
			}
			// Names and uids the server copies into labels and
			// selectors (a Job's) are the only expected difference.
			var jsonMeta struct {
				Metadata struct{ UID string } `json:"metadata"`
			}
			json.Unmarshal(jsonAnswer, &jsonMeta)
			jsonAnswer = bytes.ReplaceAll(jsonAnswer, []byte(name+"-json"), []byte(name+"-proto"))
			jsonAnswer = bytes.ReplaceAll(jsonAnswer, []byte(jsonMeta.Metadata.UID), []byte(back.(metav1.Object).GetUID()))
			want, _ := protoScheme.New(gvkOf(res))
			if err := json.Unmarshal(jsonAnswer, want); err != nil {
				t.Fatal(err)
			}
			w, g := asMap(t, want), asMap(t, back)
			dropServerSet(w)
			dropServerSet(g)
			delete(w, "apiVersion") // set by json, carried by the envelope in protobuf
			delete(w, "kind")
			delete(g, "apiVersion")
			delete(g, "kind")
			if diff := cmp.Diff(w, g); diff != "" {
				t.Errorf("created as protobuf differs from created as JSON (-json +protobuf):\n%s", diff)
			}
		})
	}
}

// TestMalformedProtobufBody: a body that does not decode gets a 400 Status
// saying so, in the client's media type, and nothing is stored.
func TestMalformedProtobufBody(t *testing.T) {
	_, hs, st := serve(t)
	pods := api.ResourceFor("v1", "Pod")
	tests := []struct {
		name, body, want string
	}{
		{"not protobuf", `{"kind":"Pod"}`, "does not appear to be a protobuf message"},
		{"truncated", "k8s\x00\x0a\x0c\x0a\x02v1", "unexpected EOF"},
		{"unknown kind", "k8s\x00\x0a\x0c\x0a\x02v1\x12\x06Widget", `kind "Widget" of apiVersion "v1" has no protobuf encoding`},
	}
	for _, tt := range tests {
		resp, body := post(t, collectionURL(hs.URL, pods), ContentProtobuf, "application/json", []byte(tt.body))
		var status api.Status
		json.Unmarshal(body, &status)
		if resp.StatusCode != http.StatusBadRequest || status.Reason != api.ReasonBadRequest || !strings.Contains(status.Message, tt.want) {
			t.Errorf("%s: POST = %s, Status %+v; want 400 BadRequest naming %q", tt.name, resp.Status, status, tt.want)
		}
	}
	resp, body := post(t, collectionURL(hs.URL, pods), ContentProtobuf, ContentProtobuf, []byte("junk"))
	var status runtime.Unknown
	if _, _, err := protoSerializer.Decode(body, nil, &status); err != nil || resp.StatusCode != http.StatusBadRequest || status.Kind != "Status" {
		t.Errorf("junk with Accept protobuf: %s, %v, %+v; want a 400 Status in protobuf", resp.Status, err, status.TypeMeta)
	}
	list, err := st.List(t.Context(), "/", store.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range list.KVs {
		if strings.Contains(kv.Key, "pods") {
			t.Errorf("a malformed body stored %s", kv.Key)
		}
	}
}
