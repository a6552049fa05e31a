package apiserver

import (
	"crypto/ed25519"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"testing"

	"github.com/tinykube/tinykube/core/api"
)

// fuzzObject is one valid object of one kind: what the fuzzers start
// from. The fuzz fixture creates each once under the name "seed" (in
// namespace default when the kind is namespaced), and the seed corpora
// build their requests from the same bodies, so that a mutation starts
// from something the server accepts rather than from noise.
type fuzzObject struct {
	res  *api.Resource
	body string // JSON without metadata.name; fuzzBody adds it
}

// crontabResource is the custom resource crontabCRD defines, served at
// stable.example.com/v1: the fuzzers reach custom resources through it.
var crontabResource = &api.Resource{Group: "stable.example.com", Version: "v1", Kind: "CronTab",
	Plural: "crontabs", Singular: "crontab", Namespaced: true, HasStatus: true}

// fuzzPodSpec is a pod spec every workload kind's template uses.
const fuzzPodSpec = `{"containers":[{"name":"c","image":"busybox","command":["sleep","3600"],` +
	`"resources":{"requests":{"cpu":"10m","memory":"16Mi"}}}]}`

// fuzzTemplate is a pod template labelled app=a.
const fuzzTemplate = `{"metadata":{"labels":{"app":"a"}},"spec":` + fuzzPodSpec + `}`

// fuzzCSRPEM is a certificate request for a kubelet's client
// certificate, signed with a key from a fixed seed, as base64 (the JSON
// form of a []byte).
var fuzzCSRPEM = func() string {
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	der, err := x509.CreateCertificateRequest(nil, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: "system:node:n1", Organization: []string{"system:nodes"}}}, key)
	if err != nil {
		panic(fmt.Sprintf("fuzz seed CSR: %v", err))
	}
	return base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}()

// fuzzObjects returns one valid object of every built-in kind, stored and
// virtual, plus the CronTab definition and a CronTab, in an order in which
// each can be created (the definition before its custom resource). A test
// (TestFuzzObjectsCoverEveryKind) keeps it complete and valid.
func fuzzObjects() []fuzzObject {
	byKind := map[string]string{
		"ConfigMap":             `{"data":{"k":"v"}}`,
		"Endpoints":             `{"subsets":[{"addresses":[{"ip":"10.1.0.1"}],"ports":[{"name":"http","port":80,"protocol":"TCP"}]}]}`,
		"Event":                 `{"involvedObject":{"kind":"Pod","namespace":"default","name":"seed"},"reason":"Started","message":"started","type":"Normal","source":{"component":"fuzz"}}`,
		"Namespace":             `{"metadata":{"labels":{"team":"a"}}}`,
		"Node":                  `{"metadata":{"labels":{"kubernetes.io/hostname":"seed"}},"spec":{"podCIDR":"10.244.1.0/24"},"status":{"capacity":{"cpu":"2","memory":"4Gi","pods":"110"},"allocatable":{"cpu":"2","memory":"4Gi","pods":"110"}}}`,
		"PersistentVolumeClaim": `{"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}`,
		"PersistentVolume":      `{"spec":{"capacity":{"storage":"1Gi"},"accessModes":["ReadWriteOnce"],"persistentVolumeReclaimPolicy":"Retain","hostPath":{"path":"/tmp/seed"}}}`,
		"Pod":                   `{"metadata":{"labels":{"app":"a"}},"spec":` + fuzzPodSpec + `}`,
		"Secret":                `{"type":"Opaque","data":{"password":"aHVudGVyMg=="}}`,
		"ServiceAccount":        `{}`,
		"Service":               `{"spec":{"selector":{"app":"a"},"ports":[{"name":"http","port":80,"targetPort":8080}]}}`,
		"CustomResourceDefinition": `{"spec":{"group":"stable.example.com","scope":"Namespaced",` +
			`"names":{"plural":"crontabs","singular":"crontab","kind":"CronTab","shortNames":["ct"]},` +
			`"versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},` +
			`"schema":{"openAPIV3Schema":{"type":"object","properties":{` +
			`"spec":{"type":"object","properties":{"cronSpec":{"type":"string"},"replicas":{"type":"integer","minimum":0}}},` +
			`"status":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}}]}}`,
		"DaemonSet":                `{"spec":{"selector":{"matchLabels":{"app":"a"}},"template":` + fuzzTemplate + `}}`,
		"Deployment":               `{"spec":{"replicas":2,"selector":{"matchLabels":{"app":"a"}},"template":` + fuzzTemplate + `}}`,
		"ReplicaSet":               `{"spec":{"replicas":2,"selector":{"matchLabels":{"app":"a"}},"template":` + fuzzTemplate + `}}`,
		"StatefulSet":              `{"spec":{"replicas":2,"serviceName":"seed","selector":{"matchLabels":{"app":"a"}},"template":` + fuzzTemplate + `}}`,
		"SelfSubjectReview":        `{}`,
		"TokenReview":              `{"spec":{"token":"not-a-token"}}`,
		"LocalSubjectAccessReview": `{"spec":{"user":"alice","resourceAttributes":{"namespace":"default","verb":"get","resource":"pods"}}}`,
		"SelfSubjectAccessReview":  `{"spec":{"resourceAttributes":{"namespace":"default","verb":"list","resource":"pods"}}}`,
		"SelfSubjectRulesReview":   `{"spec":{"namespace":"default"}}`,
		"SubjectAccessReview":      `{"spec":{"user":"alice","groups":["dev"],"resourceAttributes":{"namespace":"default","verb":"get","resource":"pods"}}}`,
		"CronJob":                  `{"spec":{"schedule":"*/5 * * * *","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}}}`,
		"Job":                      `{"spec":{"completions":2,"parallelism":1,"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}`,
		"CertificateSigningRequest": `{"spec":{"request":"` + fuzzCSRPEM + `","signerName":"kubernetes.io/kube-apiserver-client-kubelet",` +
			`"usages":["digital signature","client auth"]}}`,
		"Lease":               `{"spec":{"holderIdentity":"seed","leaseDurationSeconds":15}}`,
		"PodDisruptionBudget": `{"spec":{"minAvailable":1,"selector":{"matchLabels":{"app":"a"}}}}`,
		"HorizontalPodAutoscaler": `{"spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"seed"},"minReplicas":1,"maxReplicas":5,` +
			`"metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":50}}}]}}`,
		"ClusterRoleBinding": `{"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},"subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"alice"}]}`,
		"ClusterRole":        `{"rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["get","list","watch"]}]}`,
		"RoleBinding":        `{"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"seed"},"subjects":[{"kind":"ServiceAccount","name":"seed","namespace":"default"}]}`,
		"Role":               `{"rules":[{"apiGroups":["apps"],"resources":["deployments"],"verbs":["*"]}]}`,
		"StorageClass":       `{"provisioner":"tinykube.io/hostpath","reclaimPolicy":"Delete","volumeBindingMode":"WaitForFirstConsumer"}`,
	}
	var out []fuzzObject
	for _, r := range api.Resources() {
		if b, ok := byKind[r.Kind]; ok {
			out = append(out, fuzzObject{res: r, body: b})
		}
	}
	return append(out, fuzzObject{res: crontabResource, body: `{"spec":{"cronSpec":"* * * * */5","replicas":1}}`})
}

// fuzzBody returns o's body as a complete object: apiVersion, kind and
// metadata.name (and namespace when the kind is namespaced) added to
// what o.body has.
func fuzzBody(o fuzzObject, name string) []byte {
	obj := map[string]any{}
	mustUnmarshal([]byte(o.body), &obj)
	obj["apiVersion"], obj["kind"] = o.res.APIVersion(), o.res.Kind
	meta, _ := obj["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
	}
	if o.res.Kind == "CustomResourceDefinition" {
		name = "crontabs.stable.example.com" // a definition's name is plural.group
	}
	if !o.res.Virtual {
		meta["name"] = name
	}
	if o.res.Namespaced && !o.res.Virtual {
		meta["namespace"] = "default"
	}
	obj["metadata"] = meta
	return mustMarshal(obj)
}

// fuzzName returns the name the fuzz world stores o's object under:
// "seed", but a CustomResourceDefinition's name must be plural.group.
func fuzzName(o fuzzObject) string {
	if o.res.Kind == "CustomResourceDefinition" {
		return "crontabs.stable.example.com"
	}
	return "seed"
}

// mustUnmarshal decodes b, which the tests wrote, into v.
func mustUnmarshal(b []byte, v any) {
	if err := json.Unmarshal(b, v); err != nil {
		panic(fmt.Sprintf("fuzz seed %s: %v", b, err))
	}
}

// mustMarshal encodes v, which the tests built.
func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("fuzz seed: %v", err))
	}
	return b
}

// fuzzCollection returns the path of o's collection in namespace ns ("" is
// every namespace, or the cluster-scoped collection).
func fuzzCollection(res *api.Resource, ns string) string {
	p := "/api/" + res.Version
	if res.Group != "" {
		p = "/apis/" + res.Group + "/" + res.Version
	}
	if res.Namespaced && ns != "" {
		p += "/namespaces/" + ns
	}
	return p + "/" + res.Plural
}

// fuzzKindIndex is the index in objs of the object of kind, which the
// fuzzers' seeds name by index.
func fuzzKindIndex(tb testing.TB, objs []fuzzObject, kind string) uint8 {
	for k, o := range objs {
		if o.res.Kind == kind {
			return uint8(k)
		}
	}
	tb.Fatalf("no fuzzObject of kind %s", kind)
	return 0
}
