// Package kubeconfig reads and writes the kubeconfig file format, so the
// CLI finds its server the way kubectl does and kubectl can use the file a
// tinykube server writes.
//
// Book: chapter 3, "The API server" (book/03-api-server.md, "Code: HTTP and
// finding the server").
package kubeconfig
