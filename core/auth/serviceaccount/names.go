package serviceaccount

// The names that tie a pod to its identity. The API server's admission
// step, the controllers that keep every namespace supplied and the
// kubelet that writes the files all use these.
const (
	// DefaultAccount is the ServiceAccount every namespace has and a pod
	// runs as when it names none.
	DefaultAccount = "default"
	// RootCAConfigMap is the ConfigMap of every namespace holding the
	// cluster CA's certificate (PEM) under RootCAKey.
	RootCAConfigMap = "kube-root-ca.crt"
	RootCAKey       = "ca.crt"
	// MountPath is where a pod's token, ca.crt and namespace files are
	// mounted; client libraries' in-cluster configuration reads them
	// there.
	MountPath = "/var/run/secrets/kubernetes.io/serviceaccount"
)
