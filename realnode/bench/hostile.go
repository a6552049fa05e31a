package bench

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tinykube/tinykube/realnode/kubeconfig"
)

// HostileInput is one request a hostile or broken client might send. Each
// must be answered 4xx, within HostileAnswerTime, by a server whose memory
// stays bounded and which keeps answering /readyz.
type HostileInput struct {
	Name        string
	Method      string
	Path        string // with its query
	ContentType string
	Header      map[string]string
	// Body builds the body (nil: none); built only when sent, so the
	// table costs nothing to hold.
	Body func() []byte
	// Concurrent sends the input this many times at once (0: once); each
	// answer must be 4xx (429 included) in time.
	Concurrent int
	// HTTP1 sends it over HTTP/1.1: Go's HTTP/2 client refuses, itself,
	// headers larger than the server advertises it takes.
	HTTP1 bool
}

// HostileAnswerTime is how long the server may take to refuse one input.
const HostileAnswerTime = time.Second

// HostileMaxRSS is the server's memory goal under the hostile inputs: its
// peak resident set (VmHWM) stays below it.
const HostileMaxRSS = 200 << 20

// Paths the inputs address; hostileSetup creates the objects.
const (
	hostileCMs     = "/api/v1/namespaces/default/configmaps"
	hostilePods    = "/api/v1/namespaces/default/pods"
	hostileDeploys = "/apis/apps/v1/namespaces/default/deployments"
)

// hostileSetup are the objects the inputs patch.
var hostileSetup = []struct{ path, body string }{
	{hostileCMs, `{"metadata":{"name":"target"},"data":{"a":"b"}}`},
	{hostileDeploys, `{"metadata":{"name":"target"},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}`},
	// A pod needs its ServiceAccount (the controller that makes it may
	// not have yet: a 409 says it has).
	{"/api/v1/namespaces/default/serviceaccounts", `{"metadata":{"name":"default"}}`},
	{hostilePods, `{"metadata":{"name":"target"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}`},
}

const (
	contentJSON      = "application/json"
	contentJSONPatch = "application/json-patch+json"
	contentMerge     = "application/merge-patch+json"
	contentSMP       = "application/strategic-merge-patch+json"
	contentApply     = "application/apply-patch+yaml"
	contentYAML      = "application/yaml"
	contentProtobuf  = "application/vnd.kubernetes.protobuf"
)

// HostileInputs is the suite: patch bombs, objects too large or too
// deep, bad query parameters, lying bodies.
var HostileInputs = []HostileInput{
	{Name: "JSON patch doubling the object 20 times", Method: "PATCH", Path: hostileCMs + "/target", ContentType: contentJSONPatch,
		Body: func() []byte { return jsonPatchBomb(`/data`, 20) }},
	{Name: "JSON patch doubling the whole object 30 times", Method: "PATCH", Path: hostileCMs + "/target", ContentType: contentJSONPatch,
		Body: func() []byte { return jsonPatchBomb(``, 30) }},
	{Name: "JSON patch of 10,001 operations", Method: "PATCH", Path: hostileCMs + "/target", ContentType: contentJSONPatch,
		Body: func() []byte {
			return []byte("[" + strings.Repeat(`{"op":"test","path":"/data","value":{"a":"b"}},`, 10000) + `{"op":"test","path":"/data","value":{"a":"b"}}]`)
		}},
	{Name: "JSON patch path of 100,000 segments", Method: "PATCH", Path: hostileCMs + "/target", ContentType: contentJSONPatch,
		Body: func() []byte {
			return []byte(`[{"op":"add","path":"` + strings.Repeat("/a", 100_000) + `","value":1}]`)
		}},
	{Name: "JSON patch testing a 2.5 MB value 1 time", Method: "PATCH", Path: hostileCMs + "/target", ContentType: contentJSONPatch,
		Body: func() []byte {
			return []byte(`[{"op":"test","path":"/data","value":{"a":"` + strings.Repeat("x", 2500_000) + `"}}]`)
		}},
	{Name: "JSON patch adding 10,000 annotations", Method: "PATCH", Path: hostileCMs + "/target", ContentType: contentJSONPatch,
		Body: func() []byte {
			var b strings.Builder
			b.WriteString(`[{"op":"add","path":"/metadata/annotations","value":{}}`)
			for i := 0; i < 9999; i++ {
				fmt.Fprintf(&b, `,{"op":"add","path":"/metadata/annotations/k%d","value":"%s"}`, i, strings.Repeat("v", 250))
			}
			return []byte(b.String() + "]")
		}},
	{Name: "merge patch nested 100,000 deep", Method: "PATCH", Path: hostileCMs + "/target", ContentType: contentMerge,
		Body: func() []byte { return nested(`{"a":`, `}`, 100_000, `1`) }},
	{Name: "create nested 100,000 arrays deep", Method: "POST", Path: hostileCMs, ContentType: contentJSON,
		Body: func() []byte {
			return []byte(`{"metadata":{"name":"deep"},"data":` + string(nested(`[`, `]`, 100_000, `1`)) + `}`)
		}},
	{Name: "create with 1,000,000 empty containers", Method: "POST", Path: hostilePods, ContentType: contentJSON,
		Body: func() []byte {
			return []byte(`{"metadata":{"name":"many"},"spec":{"containers":[` + strings.Repeat(`{},`, 1_000_000) + `{}]}}`)
		}},
	{Name: "create with 1,000,000 empty strings", Method: "POST", Path: hostilePods, ContentType: contentJSON,
		Body: func() []byte {
			return []byte(`{"metadata":{"name":"many"},"spec":{"containers":[{"name":"c","image":"i","args":[` + strings.Repeat(`"",`, 1_000_000) + `""]}]}}`)
		}},
	{Name: "create of a 2 MB pod (over the store's 1.5 MiB)", Method: "POST", Path: hostilePods, ContentType: contentJSON,
		Body: func() []byte {
			return []byte(`{"metadata":{"name":"big"},"spec":{"containers":[{"name":"c","image":"i","args":["` + strings.Repeat("x", 2<<20) + `"]}]}}`)
		}},
	{Name: "create with a 4 MiB body", Method: "POST", Path: hostileCMs, ContentType: contentJSON,
		Body: func() []byte {
			return []byte(`{"metadata":{"name":"huge"},"data":{"a":"` + strings.Repeat("x", 4<<20) + `"}}`)
		}},
	{Name: "create with 150,000 data keys", Method: "POST", Path: hostileCMs, ContentType: contentJSON,
		Body: func() []byte { return manyKeys(`{"metadata":{"name":"keys"},"data":`, 150_000, `}`) }},
	{Name: "create with 100,000 labels", Method: "POST", Path: hostileCMs, ContentType: contentJSON,
		Body: func() []byte { return manyKeys(`{"metadata":{"name":"labels","labels":`, 100_000, `}}`) }},
	{Name: "create with 300 KiB of annotations", Method: "POST", Path: hostileCMs, ContentType: contentJSON,
		Body: func() []byte {
			return []byte(`{"metadata":{"name":"notes","annotations":{"a":"` + strings.Repeat("x", 300<<10) + `"}}}`)
		}},
	{Name: "create with a 1 MB name", Method: "POST", Path: hostileCMs, ContentType: contentJSON,
		Body: func() []byte { return []byte(`{"metadata":{"name":"` + strings.Repeat("n", 1<<20) + `"}}`) }},
	{Name: "strategic merge patch with $setElementOrder of 200,000", Method: "PATCH", Path: hostileDeploys + "/target", ContentType: contentSMP,
		Body: func() []byte {
			return []byte(`{"spec":{"template":{"spec":{"$setElementOrder/containers":[` + strings.Repeat(`{"name":"c"},`, 200_000) + `{"name":"c"}]}}}}`)
		}},
	{Name: "strategic merge patch with $retainKeys of 200,000", Method: "PATCH", Path: hostileDeploys + "/target", ContentType: contentSMP,
		Body: func() []byte {
			return []byte(`{"spec":{"strategy":{"$retainKeys":[` + strings.Repeat(`"type",`, 200_000) + `"type"],"type":"Recreate"}}}`)
		}},
	{Name: "strategic merge patch of 100,000 containers to delete", Method: "PATCH", Path: hostileDeploys + "/target", ContentType: contentSMP,
		Body: func() []byte {
			var b strings.Builder
			b.WriteString(`{"spec":{"template":{"spec":{"containers":[`)
			for i := 0; i < 100_000; i++ {
				fmt.Fprintf(&b, `{"name":"c%d","$patch":"delete"},`, i)
			}
			return []byte(b.String() + `{"name":"c","$patch":"bomb"}]}}}}`)
		}},
	{Name: "apply with 2 MB of managedFields", Method: "PATCH", Path: hostileCMs + "/target?fieldManager=hostile", ContentType: contentApply,
		Body: func() []byte {
			return []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"target","managedFields":[` + strings.Repeat(`{"manager":"m","operation":"Apply","fieldsV1":{"f:data":{}}},`, 30_000) + `{}]}}`)
		}},
	{Name: "apply YAML billion laughs", Method: "PATCH", Path: hostileCMs + "/target?fieldManager=hostile", ContentType: contentApply,
		Body: billionLaughs},
	{Name: "create YAML billion laughs", Method: "POST", Path: hostileCMs, ContentType: contentYAML, Body: billionLaughs},
	{Name: "protobuf claiming a 2 GB field", Method: "POST", Path: hostileCMs, ContentType: contentProtobuf,
		Body: func() []byte {
			b := append([]byte("k8s\x00"), 0x12)
			return append(binary.AppendUvarint(b, 2<<30), "abc"...)
		}},
	{Name: "protobuf pod of 1,400,000 empty containers", Method: "POST", Path: hostilePods, ContentType: contentProtobuf, Body: protobufContainers},
	{Name: "JSON body sent as protobuf", Method: "POST", Path: hostileCMs, ContentType: contentProtobuf,
		Body: func() []byte { return []byte(`{"metadata":{"name":"liar"}}`) }},
	{Name: "gzip bomb with Content-Encoding gzip", Method: "POST", Path: hostileCMs, ContentType: contentJSON,
		Header: map[string]string{"Content-Encoding": "gzip"}, Body: gzipBomb},
	{Name: "watch with timeoutSeconds=1e12", Method: "GET", Path: hostileCMs + "?watch=true&timeoutSeconds=1e12"},
	{Name: "list with limit=-1", Method: "GET", Path: hostileCMs + "?limit=-1"},
	{Name: "list with limit=1e18", Method: "GET", Path: hostileCMs + "?limit=1e18"},
	{Name: "list with timeoutSeconds=abc", Method: "GET", Path: hostileCMs + "?timeoutSeconds=abc"},
	{Name: "list with a labelSelector of 100,000 terms", Method: "GET", Path: hostileCMs + "?labelSelector=" + url.QueryEscape(terms(100_000)), HTTP1: true},
	{Name: "delete with gracePeriodSeconds=soon", Method: "DELETE", Path: hostileCMs + "/nothing?gracePeriodSeconds=soon"},
	{Name: "headers of 2 MB", Method: "GET", Path: hostileCMs, Header: map[string]string{"X-Flood": strings.Repeat("h", 2<<20)}, HTTP1: true},
	// Invalid status and quantities: small, but each would store what
	// no reader of the object can make sense of.
	{Name: "status patch with phase Bogus", Method: "PATCH", Path: hostilePods + "/target/status", ContentType: contentMerge,
		Body: literal(`{"status":{"phase":"Bogus"}}`)},
	{Name: "status patch with a condition status Maybe", Method: "PATCH", Path: hostilePods + "/target/status", ContentType: contentMerge,
		Body: literal(`{"status":{"conditions":[{"type":"Ready","status":"Maybe"}]}}`)},
	{Name: "status patch with restartCount -7", Method: "PATCH", Path: hostilePods + "/target/status", ContentType: contentMerge,
		Body: literal(`{"status":{"containerStatuses":[{"name":"c","image":"busybox","imageID":"","ready":false,"restartCount":-7}]}}`)},
	{Name: "status patch for a container not in the spec", Method: "PATCH", Path: hostilePods + "/target/status", ContentType: contentMerge,
		Body: literal(`{"status":{"containerStatuses":[{"name":"ghost","image":"busybox","imageID":"","ready":true,"restartCount":0}]}}`)},
	{Name: "create with cpu 1e300", Method: "POST", Path: hostilePods, ContentType: contentJSON, Body: podWithCPU(`"1e300"`)},
	{Name: "create with cpu abc", Method: "POST", Path: hostilePods, ContentType: contentJSON, Body: podWithCPU(`"abc"`)},
	{Name: "create with cpu NaN", Method: "POST", Path: hostilePods, ContentType: contentJSON, Body: podWithCPU(`"NaN"`)},
	{Name: `create with cpu "  1"`, Method: "POST", Path: hostilePods, ContentType: contentJSON, Body: podWithCPU(`"  1"`)},
	{Name: "40 concurrent creates of 2.9 MB", Method: "POST", Path: hostileCMs, ContentType: contentJSON, Concurrent: 40,
		Body: func() []byte {
			return []byte(`{"metadata":{"name":"crowd"},"data":{"a":"` + strings.Repeat("x", 2900_000) + `"}}`)
		}},
}

// literal returns a Body that is s.
func literal(s string) func() []byte { return func() []byte { return []byte(s) } }

// podWithCPU returns a Body creating a pod whose container limits cpu to
// the JSON value q.
func podWithCPU(q string) func() []byte {
	return literal(`{"metadata":{"generateName":"q-"},"spec":{"containers":[{"name":"c","image":"busybox","resources":{"limits":{"cpu":` + q + `}}}]}}`)
}

// jsonPatchBomb adds a 100-byte value at from+"/x" and then copies from
// onto itself copies times.
func jsonPatchBomb(from string, copies int) []byte {
	ops := []string{fmt.Sprintf(`{"op":"add","path":"%s/x","value":"%s"}`, from, strings.Repeat("0123456789", 10))}
	for i := 0; i < copies; i++ {
		ops = append(ops, fmt.Sprintf(`{"op":"copy","from":"%s","path":"%s/y%d"}`, from, from, i))
	}
	return []byte("[" + strings.Join(ops, ",") + "]")
}

// nested wraps inner in n pairs of open and close.
func nested(open, close string, n int, inner string) []byte {
	return []byte(strings.Repeat(open, n) + inner + strings.Repeat(close, n))
}

// manyKeys is prefix, an object of n keys, and suffix.
func manyKeys(prefix string, n int, suffix string) []byte {
	var b bytes.Buffer
	b.WriteString(prefix + "{")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"k%d":"v"`, i)
	}
	b.WriteString("}" + suffix)
	return b.Bytes()
}

// terms is a label selector of n requirements.
func terms(n int) string {
	t := make([]string, n)
	for i := range t {
		t[i] = "k" + strconv.Itoa(i) + "=v"
	}
	return strings.Join(t, ",")
}

// billionLaughs is the YAML alias bomb: nine levels of nine aliases.
func billionLaughs() []byte {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: target\na0: &a0 [\"lol\"]\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [", i, i)
		for j := 0; j < 9; j++ {
			if j > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	b.WriteString("data: *a9\n")
	return []byte(b.String())
}

// protobufContainers is a Pod in Kubernetes' protobuf envelope whose spec
// lists 1.4 million empty containers: two bytes each on the wire.
func protobufContainers() []byte {
	bytesField := func(b []byte, field int, v []byte) []byte {
		b = binary.AppendUvarint(b, uint64(field<<3|2))
		b = binary.AppendUvarint(b, uint64(len(v)))
		return append(b, v...)
	}
	spec := bytes.Repeat([]byte{0x12, 0x00}, 1_400_000) // PodSpec.containers (2): empty
	pod := bytesField(nil, 2, spec)                     // Pod.spec (2)
	typeMeta := bytesField(bytesField(nil, 1, []byte("v1")), 2, []byte("Pod"))
	unknown := bytesField(bytesField(nil, 1, typeMeta), 2, pod) // Unknown.typeMeta, .raw
	return append([]byte("k8s\x00"), unknown...)
}

// gzipBomb is 1 GB of zeros, gzipped to about a megabyte.
func gzipBomb() []byte {
	var b bytes.Buffer
	z, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zeros := make([]byte, 1<<20)
	for i := 0; i < 1024; i++ {
		z.Write(zeros)
	}
	z.Close()
	return b.Bytes()
}

// HostileReport is what RunHostile saw.
type HostileReport struct {
	Inputs   int      // inputs sent (a concurrent one counts once)
	Failures []string // inputs not refused 4xx in time, and why
	PeakRSS  int64    // the server's VmHWM, bytes
	// ReadyzFailures counts /readyz probes that did not answer 200 in
	// time, between the inputs and while slow bodies were trickling.
	ReadyzFailures int
	// SlowBodies is how many slow-body connections were opened, and
	// SlowCutOff how many the server cut off within its body timeout.
	SlowBodies, SlowCutOff int
}

// String is the bench's row.
func (r HostileReport) String() string {
	s := fmt.Sprintf("hostile inputs: %d, ", r.Inputs)
	if len(r.Failures) == 0 {
		s += "all 4xx in < 1 s"
	} else {
		s += fmt.Sprintf("%d not refused: %s", len(r.Failures), strings.Join(r.Failures, "; "))
	}
	s += fmt.Sprintf("; %d slow bodies, %d cut off; server peak RSS %d MB", r.SlowBodies, r.SlowCutOff, r.PeakRSS>>20)
	if r.ReadyzFailures == 0 {
		s += ", readyz always answered"
	} else {
		s += fmt.Sprintf(", readyz failed %d times", r.ReadyzFailures)
	}
	return s
}

// HostileBodyTimeout is the body timeout RunHostile's server is started
// with (--request-body-timeout), so the slow bodies are cut off quickly.
const HostileBodyTimeout = 3 * time.Second

// ServerCommand builds the command that runs a tinykube API server in a
// process of its own, with its data in dataDir, its API at listen and its
// embedded etcd at the two URLs, and with --request-body-timeout
// HostileBodyTimeout.
type ServerCommand func(dataDir, listen, etcdClientURL, etcdPeerURL string) *exec.Cmd

// RunHostile starts a server with start, sends it every input of inputs in
// turn while slow clients trickle bodies at it, and reports. The server's
// memory is its own (a separate process), read from /proc.
func RunHostile(ctx context.Context, start ServerCommand, inputs []HostileInput) (HostileReport, error) {
	var rep HostileReport
	dir, err := os.MkdirTemp("", "tinykube-hostile-")
	if err != nil {
		return rep, err
	}
	defer os.RemoveAll(dir)
	ports, err := freePorts(3)
	if err != nil {
		return rep, err
	}
	listen := "127.0.0.1:" + strconv.Itoa(ports[0])
	cmd := start(filepath.Join(dir, "data"), listen, "https://127.0.0.1:"+strconv.Itoa(ports[1]), "https://127.0.0.1:"+strconv.Itoa(ports[2]))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return rep, err
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	client, base, err := hostileClient(ctx, filepath.Join(dir, "data", "kubeconfig"), &out)
	if err != nil {
		return rep, err
	}
	for _, o := range hostileSetup {
		if code, err := send(ctx, client, base, HostileInput{Method: "POST", Path: o.path, ContentType: contentJSON}, []byte(o.body)); err != nil || (code != 201 && code != 409) {
			return rep, fmt.Errorf("creating %s: %d %v", o.path, code, err)
		}
	}

	// Slow clients trickle bodies all along.
	slowCtx, stopSlow := context.WithCancel(ctx)
	slow := make(chan bool, 20)
	for i := 0; i < cap(slow); i++ {
		rep.SlowBodies++
		go func() { slow <- slowBody(slowCtx, listen, client) }()
	}
	ready := func() {
		if !readyz(ctx, client, base) {
			rep.ReadyzFailures++
		}
	}
	for _, in := range inputs {
		ready()
		rep.Inputs++
		if why := refused(ctx, client, base, in); why != "" {
			rep.Failures = append(rep.Failures, in.Name+": "+why)
		}
	}
	// Wait out the slow bodies: each must be cut off within the body
	// timeout (plus slack); /readyz answers meanwhile.
	deadline := time.After(HostileBodyTimeout + 5*time.Second)
	for got := 0; got < rep.SlowBodies; {
		select {
		case cut := <-slow:
			got++
			if cut {
				rep.SlowCutOff++
			}
		case <-time.After(200 * time.Millisecond):
			ready()
		case <-deadline:
			got = rep.SlowBodies
		}
	}
	stopSlow()
	ready()
	rep.PeakRSS, err = peakRSS(cmd.Process.Pid)
	return rep, err
}

// refused sends in (Concurrent times at once) and returns "" when every
// answer was 4xx within HostileAnswerTime, else what happened.
func refused(ctx context.Context, client *http.Client, base string, in HostileInput) string {
	n := max(in.Concurrent, 1)
	var mu sync.Mutex
	var whys []string
	var wg sync.WaitGroup
	if in.HTTP1 {
		t := client.Transport.(*http.Transport).Clone()
		t.ForceAttemptHTTP2 = false
		t.TLSClientConfig.NextProtos = []string{"http/1.1"}
		t.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
		client = &http.Client{Transport: t}
	}
	var body []byte
	if in.Body != nil {
		body = in.Body()
	}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			code, err := send(ctx, client, base, in, body)
			took := time.Since(t0)
			why := ""
			switch {
			case err != nil:
				why = err.Error()
			case code < 400 || code > 499:
				why = fmt.Sprintf("answered %d", code)
			case took > HostileAnswerTime:
				why = fmt.Sprintf("answered %d after %s", code, took.Round(time.Millisecond))
			}
			if len(why) > 200 {
				why = why[:200] + "…"
			}
			if why != "" {
				mu.Lock()
				whys = append(whys, why)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(whys) > 0 {
		return whys[0]
	}
	return ""
}

// send sends in, with body (built by in.Body beforehand, so that building
// it is not timed), once and returns the answer's status code.
func send(ctx context.Context, client *http.Client, base string, in HostileInput, b []byte) (int, error) {
	var body io.Reader
	if b != nil {
		body = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, in.Method, base+in.Path, body)
	if err != nil {
		return 0, err
	}
	if in.ContentType != "" {
		req.Header.Set("Content-Type", in.ContentType)
	}
	for k, v := range in.Header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, nil
}

// slowBody opens a connection (its own TLS, with client's credentials),
// sends a create's headers and then its body a byte every half second,
// and reports whether the server cut it off (an answer, or the connection
// closed) within HostileBodyTimeout and some slack.
func slowBody(ctx context.Context, listen string, client *http.Client) bool {
	tc := client.Transport.(*http.Transport).TLSClientConfig.Clone()
	tc.NextProtos = []string{"http/1.1"}
	conn, err := tls.Dial("tcp", listen, tc)
	if err != nil {
		return false
	}
	defer conn.Close()
	body := `{"metadata":{"name":"slow"}}`
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", hostileCMs, listen, len(body)+1000)
	start := time.Now()
	closed := make(chan struct{})
	go func() {
		io.Copy(io.Discard, conn) // returns when the server answers and closes
		close(closed)
	}()
	for i := 0; ; i++ {
		select {
		case <-closed:
			return time.Since(start) < HostileBodyTimeout+3*time.Second
		case <-ctx.Done():
			return false
		case <-time.After(500 * time.Millisecond):
		}
		conn.Write([]byte{body[i%len(body)]})
	}
}

// readyz reports whether /readyz answers 200 within a second.
func readyz(ctx context.Context, client *http.Client, base string) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/readyz", nil)
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == 200
}

// hostileClient waits for the server's kubeconfig and /readyz, and
// returns an admin client and the server's URL.
func hostileClient(ctx context.Context, path string, log *bytes.Buffer) (*http.Client, string, error) {
	deadline := time.Now().Add(60 * time.Second)
	for {
		if cfg, err := kubeconfig.Load(path); err == nil {
			if cr, err := cfg.CurrentCredentials(); err == nil {
				servers, _, err := cfg.CurrentServers()
				if err == nil && len(servers) > 0 {
					pool := x509.NewCertPool()
					pool.AppendCertsFromPEM(cr.CAData)
					cert, err := tls.X509KeyPair(cr.CertData, cr.KeyData)
					if err != nil {
						return nil, "", err
					}
					c := &http.Client{Transport: &http.Transport{
						TLSClientConfig:   &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}},
						ForceAttemptHTTP2: true,
					}}
					if readyz(ctx, c, servers[0]) {
						return c, servers[0], nil
					}
				}
			}
		}
		if time.Now().After(deadline) {
			return nil, "", fmt.Errorf("the server did not become ready in 60s:\n%s", log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// peakRSS reads a process's peak resident set (VmHWM) from /proc.
func peakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}

// freePorts returns n loopback ports free a moment ago.
func freePorts(n int) ([]int, error) {
	var ports []int
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	for i := 0; i < n; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
