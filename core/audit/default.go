package audit

// DefaultPolicy is what a server records when given an audit log but no
// policy (--audit-log-path without --audit-policy-file). Kubernetes has
// no default (a log without a policy records nothing); tinykube records
// every change at Metadata — who did what to which object and the
// answer's code, no bodies — and leaves out what would drown it:
//
//   - reads (get, list, watch): the controllers' informers and every
//     kubectl get would be most of the log;
//   - Events (core and events.k8s.io), which components write as they
//     work;
//   - Leases (coordination.k8s.io) and nodes/status: the heartbeats every
//     kubelet and elected leader renews every few seconds.
//
// The stage RequestReceived is omitted too: one event per request, at
// ResponseComplete (ResponseStarted too for watches and exec).
func DefaultPolicy() *Policy {
	return &Policy{
		Kind:       KindPolicy,
		APIVersion: APIVersion,
		OmitStages: []Stage{StageRequestReceived},
		Rules: []PolicyRule{
			{Level: LevelNone, Verbs: []string{"get", "list", "watch"}},
			{Level: LevelNone, Resources: []GroupResources{{Group: "", Resources: []string{"events"}}, {Group: "events.k8s.io", Resources: []string{"events"}}}},
			{Level: LevelNone, Resources: []GroupResources{{Group: "coordination.k8s.io", Resources: []string{"leases"}}, {Group: "", Resources: []string{"nodes/status"}}}},
			{Level: LevelMetadata},
		},
	}
}
