// Package pki is the cluster's certificate authority: the first server
// draws a CA key, keeps it in its data directory (readable by its owner
// only) and signs from it the certificates every other part shows — the
// API server's serving certificate, the admin's and the components'
// client certificates, etcd's peer and client certificates, each node's
// kubelet certificates. A join token carries the hash of the CA, so a
// machine that joins can check it is talking to the right cluster before
// it sends any secret.
//
// Book: book/16-identity-and-access.md.
package pki
