// Command incluster is the in-cluster client the e2e tests run in a pod:
// client-go's InClusterConfig (the KUBERNETES_SERVICE_HOST and _PORT
// variables the kubelet sets, and the token and ca.crt projected at
// /var/run/secrets/kubernetes.io/serviceaccount) and a clientset, as any
// controller running in a cluster finds and authenticates to the API. It
// lists the pods of its namespace and gets one Secret, and prints one line
// per call:
//
//	ALLOWED list pods (3)
//	FORBIDDEN get secrets/db-password: secrets "db-password" is forbidden: ...
//	ERROR ...
//
// then "DONE", and sleeps so the test can read its log. Built by the e2e
// test (CGO_ENABLED=0) into the busybox test image.
//
// Book: book/16-identity-and-access.md.
package main
