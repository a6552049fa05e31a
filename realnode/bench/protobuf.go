package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	clientv3 "go.etcd.io/etcd/client/v3"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"

	"github.com/tinykube/tinykube/realnode/httpapi"
)

// protobufCreates creates the same ConfigMaps as httpCreates, but as
// kubectl and client-go send them by default: each a k8s.io/api ConfigMap
// encoded as protobuf, POSTed with Accept protobuf, so the row shows what
// the edge's translation (protobuf → typed object → JSON and back) costs
// beside the JSON row.
func protobufCreates(etcd *clientv3.Client, workers int) measurement {
	hc := keepAliveClient(workers)
	scheme := runtime.NewScheme()
	if err := corev1.AddToScheme(scheme); err != nil {
		panic(err) // the library's own registration does not fail
	}
	enc := protobuf.NewSerializer(scheme, scheme)
	return measurement{
		name: "API creates, protobuf HTTP",
		start: func(ctx context.Context, prefix string) (op, func(), error) {
			base, stop, err := serveHTTP(ctx, etcd, prefix, hc)
			if err != nil {
				return nil, nil, err
			}
			url := base + "/api/v1/namespaces/default/configmaps"
			create := func(ctx context.Context, w, i int) error {
				cm := &corev1.ConfigMap{
					TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
					ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("bench-w%d-%d", w, i), Namespace: "default"},
					Data:       map[string]string{"payload": strings.Repeat("x", payloadBytes)},
				}
				var body bytes.Buffer
				if err := enc.Encode(cm, &body); err != nil {
					return err
				}
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, &body)
				if err != nil {
					return err
				}
				req.Header.Set("Content-Type", httpapi.ContentProtobuf)
				req.Header.Set("Accept", httpapi.ContentProtobuf+", application/json")
				resp, err := hc.Do(req)
				if err != nil {
					return err
				}
				defer resp.Body.Close()
				answer, err := io.ReadAll(resp.Body)
				if err != nil {
					return err
				}
				if resp.StatusCode != http.StatusCreated {
					return fmt.Errorf("create ConfigMap default/%s as protobuf: %s: %q", cm.Name, resp.Status, answer)
				}
				var got corev1.ConfigMap
				if _, _, err := enc.Decode(answer, nil, &got); err != nil {
					return fmt.Errorf("create ConfigMap default/%s as protobuf: the answer does not decode: %v", cm.Name, err)
				}
				return nil
			}
			return create, stop, nil
		},
	}
}
