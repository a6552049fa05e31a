// Package helmtest runs the real Helm 4 CLI against a tinykube server with
// simulated nodes: a local chart is installed (waiting until its Deployment
// is ready), listed, upgraded, rolled back and uninstalled, once with Helm's
// client-side apply and once with its default, server-side apply. Helm is
// built from the module's tool dependency (go.mod: tool
// helm.sh/helm/v4/cmd/helm), so the test needs no helm on the machine. It
// lives in its own package, under cmd/ because it assembles simulated
// nodes (sim/runtime) as `tinykube up --runtime=sim` does, so that its
// long helm build runs beside the other packages' tests. Book:
// book/14-speaking-kubernetes.md.
package helmtest
