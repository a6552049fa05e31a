// Package serviceaccount holds the two controllers that give every
// namespace what its pods need to talk to the API as themselves: the
// ServiceAccount controller keeps a "default" ServiceAccount in every
// namespace (the account a pod runs as when it names none), and the root
// CA publisher keeps a ConfigMap kube-root-ca.crt holding the cluster's CA
// certificate (what a pod checks the API server's certificate against).
// Both put back what someone deletes or edits. The tokens themselves are
// issued by the API server (core/apiserver/tokenrequest.go) and signed by
// core/auth/serviceaccount.
//
// Book: book/16-identity-and-access.md.
package serviceaccount
