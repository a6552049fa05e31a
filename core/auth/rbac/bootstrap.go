package rbac

import (
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth"
)

// The default policy: the ClusterRoles and ClusterRoleBindings every
// cluster starts with, as Kubernetes' bootstrap policy has them (written
// out here for tinykube's kinds). The API server creates them when it
// starts and, like Kubernetes, adds back rules or subjects missing from
// them, but never takes away what an administrator added. Set the
// annotation rbac.authorization.kubernetes.io/autoupdate to "false" on
// one to keep the server's hands off it entirely.

const (
	// BootstrapLabel marks the default objects, with the value
	// BootstrapValue.
	BootstrapLabel = "kubernetes.io/bootstrapping"
	BootstrapValue = "rbac-defaults"
	// AutoUpdateAnnotation set to "false" stops the server from
	// reconciling a default object.
	AutoUpdateAnnotation = "rbac.authorization.kubernetes.io/autoupdate"
)

// Names of the default ClusterRoles.
const (
	ClusterAdmin            = "cluster-admin"
	AdminRole               = "admin"
	EditRole                = "edit"
	ViewRole                = "view"
	DiscoveryRole           = "system:discovery"
	BasicUserRole           = "system:basic-user"
	PublicInfoViewerRole    = "system:public-info-viewer"
	SchedulerRole           = "system:kube-scheduler"
	ControllerManagerRole   = "system:kube-controller-manager"
	NodeBootstrapperRole    = "system:node-bootstrapper"
	NodeClientApproverRole  = "system:certificates.k8s.io:certificatesigningrequests:nodeclient"
	SelfNodeClientRenewRole = "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient"
	NodeProxierRole         = "system:node-proxier"
	// AggregatedMetricsReaderRole reads the resource metrics API, as
	// metrics-server's manifest ships it.
	AggregatedMetricsReaderRole = "system:aggregated-metrics-reader"
	MonitoringRole              = "system:monitoring"
)

// API groups the rules name.
const (
	core         = ""
	apps         = "apps"
	batch        = "batch"
	policy       = "policy"
	autoscaling  = "autoscaling"
	coordination = "coordination.k8s.io"
	storage      = "storage.k8s.io"
	certificates = "certificates.k8s.io"
	authn        = "authentication.k8s.io"
	authz        = "authorization.k8s.io"
	eventsGroup  = "events.k8s.io"
	apiext       = api.APIExtensionsGroup
	metricsGroup = api.MetricsGroup
)

// Verb sets.
var (
	read      = []string{"get", "list", "watch"}
	write     = []string{"create", "delete", "deletecollection", "patch", "update"}
	readWrite = []string{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}
)

// rule is a small builder: rule(verbs...).in(groups...).on(resources...).
type ruleBuilder api.PolicyRule

func rule(verbs ...string) ruleBuilder { return ruleBuilder{Verbs: verbs} }

func (b ruleBuilder) in(groups ...string) ruleBuilder { b.APIGroups = groups; return b }

func (b ruleBuilder) on(resources ...string) api.PolicyRule {
	b.Resources = resources
	return api.PolicyRule(b)
}

func (b ruleBuilder) urls(urls ...string) api.PolicyRule {
	b.NonResourceURLs = urls
	return api.PolicyRule(b)
}

// named restricts r to objects of the given names.
func named(r api.PolicyRule, names ...string) api.PolicyRule {
	r.ResourceNames = names
	return r
}

// eventRules let a component record Events (client.Recorder creates
// them, and patches a repeated one's count).
var eventRules = []api.PolicyRule{
	rule("create", "patch", "update").in(core, eventsGroup).on("events"),
}

// leaderRules let a component elect a leader through the Lease name:
// create it when missing, read and renew only that one. Reading it by a
// list or watch pinned to its name (fieldSelector metadata.name) is
// reading that one Lease too: a client served from a cache reads so.
func leaderRules(name string) []api.PolicyRule {
	return []api.PolicyRule{
		rule("create").in(coordination).on("leases"),
		named(rule("get", "list", "watch", "update").in(coordination).on("leases"), name),
	}
}

// SchedulerRules are what the scheduler (core/scheduler) does: it watches
// pods, nodes and the storage kinds, binds pods, marks an unschedulable
// pod's PodScheduled condition, writes the chosen node onto a
// WaitForFirstConsumer claim, records Events, and elects a leader
// through the Lease kube-system/kube-scheduler.
func SchedulerRules() []api.PolicyRule {
	rules := []api.PolicyRule{
		rule(read...).in(core).on("pods", "nodes", "persistentvolumeclaims", "persistentvolumes"),
		rule(read...).in(storage).on("storageclasses"),
		rule("create").in(core).on("pods/binding", "bindings"),
		rule("patch", "update").in(core).on("pods/status"),
		rule("update").in(core).on("persistentvolumeclaims"),
	}
	rules = append(rules, eventRules...)
	return append(rules, leaderRules("kube-scheduler")...)
}

// ControllerRules is, per controller of the controller manager, the
// rules it needs: what its informers watch, and the writes it makes
// (read from core/controller/...). A controller added to the manager
// gets its line here; the role of the controller manager is their union
// (see ControllerManagerRules).
var ControllerRules = []struct {
	Controller string
	Rules      []api.PolicyRule
}{
	{"replicaset", []api.PolicyRule{
		rule(read...).in(apps).on("replicasets"),
		rule("update").in(apps).on("replicasets/status"),
		rule("get", "list", "watch", "create", "delete").in(core).on("pods"),
	}},
	{"endpoints", []api.PolicyRule{
		rule(read...).in(core).on("services", "pods"),
		rule("get", "list", "watch", "create", "update", "delete").in(core).on("endpoints"),
	}},
	{"deployment", []api.PolicyRule{
		rule("get", "list", "watch", "update").in(apps).on("deployments"),
		rule("update").in(apps).on("deployments/status"),
		rule("get", "list", "watch", "create", "update", "delete").in(apps).on("replicasets"),
		rule(read...).in(core).on("pods"),
	}},
	{"garbagecollector", []api.PolicyRule{
		// It follows owner references between any kinds: it reads
		// owners of every kind and removes finalizers or deletes
		// dependents of every kind.
		rule("get", "list", "watch", "patch", "update", "delete").in(All).on(All),
	}},
	{"cronjob", []api.PolicyRule{
		rule(read...).in(batch).on("cronjobs"),
		rule("update").in(batch).on("cronjobs/status"),
		rule("get", "list", "watch", "create", "delete").in(batch).on("jobs"),
	}},
	{"job", []api.PolicyRule{
		rule("get", "list", "watch", "delete").in(batch).on("jobs"),
		rule("update").in(batch).on("jobs/status"),
		rule("get", "list", "watch", "create", "delete", "patch").in(core).on("pods"),
	}},
	{"daemonset", []api.PolicyRule{
		rule(read...).in(apps).on("daemonsets"),
		rule("update").in(apps).on("daemonsets/status"),
		rule(read...).in(core).on("nodes"),
		rule("get", "list", "watch", "create", "delete").in(core).on("pods"),
	}},
	{"statefulset", []api.PolicyRule{
		rule(read...).in(apps).on("statefulsets"),
		rule("update").in(apps).on("statefulsets/status"),
		rule("get", "list", "watch", "create", "delete").in(core).on("pods"),
		rule("get", "list", "watch", "create", "update").in(core).on("persistentvolumeclaims"),
	}},
	{"node", []api.PolicyRule{
		rule("get", "list", "watch", "update").in(core).on("nodes"),
		rule("update").in(core).on("nodes/status"),
		rule("get", "list", "watch", "delete").in(core).on("pods"),
		rule("update").in(core).on("pods/status"),
		rule(read...).in(coordination).on("leases"),
	}},
	{"servicelb", []api.PolicyRule{
		rule("get", "list", "watch", "update").in(core).on("services"),
		rule("update").in(core).on("services/status"),
		rule(read...).in(core).on("nodes"),
	}},
	{"disruption", []api.PolicyRule{
		rule(read...).in(policy).on("poddisruptionbudgets"),
		rule("update").in(policy).on("poddisruptionbudgets/status"),
		rule(read...).in(core).on("pods"),
		rule(read...).in(apps).on("deployments", "replicasets", "statefulsets"),
	}},
	{"namespace", []api.PolicyRule{
		rule(read...).in(core).on("namespaces"),
		rule("update").in(core).on("namespaces/status", "namespaces/finalize"),
		// It empties a namespace being deleted of every kind.
		rule("get", "list", "delete", "deletecollection").in(All).on(All),
	}},
	{"persistentvolume-binder", []api.PolicyRule{
		rule("get", "list", "watch", "update").in(core).on("persistentvolumes", "persistentvolumeclaims"),
		rule("update").in(core).on("persistentvolumes/status", "persistentvolumeclaims/status"),
		rule(read...).in(core).on("pods", "nodes"),
		rule(read...).in(storage).on("storageclasses"),
	}},
	{"serviceaccount", []api.PolicyRule{
		rule(read...).in(core).on("namespaces"),
		rule("get", "list", "watch", "create").in(core).on("serviceaccounts"),
	}},
	{"root-ca-cert-publisher", []api.PolicyRule{
		rule(read...).in(core).on("namespaces"),
		rule("get", "list", "watch", "create", "update").in(core).on("configmaps"),
	}},
	{"csrapproving", []api.PolicyRule{
		rule(read...).in(certificates).on("certificatesigningrequests"),
		rule("update").in(certificates).on("certificatesigningrequests/approval", "certificatesigningrequests/status"),
		named(rule("approve").in(certificates).on("signers"), "kubernetes.io/kube-apiserver-client-kubelet"),
		// To check that a CSR's requester may have it approved.
		rule("create").in(authz).on("subjectaccessreviews"),
	}},
	{"horizontal-pod-autoscaler", []api.PolicyRule{
		// Kubernetes' system:controller:horizontal-pod-autoscaler: it
		// watches autoscalers and writes their status, reads and writes
		// any kind's scale subresource, lists the targets' pods and
		// reads their use from the resource metrics API.
		rule(read...).in(autoscaling).on("horizontalpodautoscalers"),
		rule("update").in(autoscaling).on("horizontalpodautoscalers/status"),
		rule("get", "update").in(All).on("*/scale"),
		rule(read...).in(core).on("pods"),
		rule("get", "list").in(api.MetricsGroup).on("pods"),
	}},
	{"customresourcecleanup", []api.PolicyRule{
		rule(read...).in(apiext).on("customresourcedefinitions"),
		// The Terminating condition, then the finalizer.
		rule("update").in(apiext).on("customresourcedefinitions/status", "customresourcedefinitions"),
		// It empties a definition being deleted of its objects, of
		// whatever group the definition names.
		rule("list", "delete").in(All).on(All),
	}},
	{"cluster-autoscaler", []api.PolicyRule{
		// It taints the nodes it removes (and untaints them when it
		// gives up), evicts their pods (never deletes them: budgets are
		// judged by the eviction), and reports in its status ConfigMap.
		rule("get", "list", "watch", "update").in(core).on("nodes"),
		rule(read...).in(core).on("pods"),
		rule("create").in(core).on("pods/eviction"),
		rule(read...).in(policy).on("poddisruptionbudgets"),
		rule("create").in(core).on("configmaps"),
		named(rule("get", "update").in(core).on("configmaps"), "cluster-autoscaler-status"),
	}},
	{"authentication", []api.PolicyRule{
		// Delegated checks of tokens and access.
		rule("create").in(authn).on("tokenreviews"),
		rule("create").in(authz).on("subjectaccessreviews"),
	}},
}

// ControllerManagerRules is the controller manager's role: every
// controller's rules, its Events, and its leader election through the
// Lease kube-system/kube-controller-manager.
func ControllerManagerRules() []api.PolicyRule {
	var rules []api.PolicyRule
	for _, c := range ControllerRules {
		rules = append(rules, c.Rules...)
	}
	rules = append(rules, eventRules...)
	return append(rules, leaderRules("kube-controller-manager")...)
}

// viewRules read the workloads of a namespace, not its Secrets (whose
// reader could act as any ServiceAccount whose token one holds).
func viewRules() []api.PolicyRule {
	return []api.PolicyRule{
		rule(read...).in(core).on("pods", "pods/log", "pods/status", "services", "services/status", "endpoints",
			"persistentvolumeclaims", "persistentvolumeclaims/status", "configmaps", "serviceaccounts", "events",
			"namespaces", "namespaces/status", "bindings"),
		rule(read...).in(apps).on("deployments", "deployments/status", "deployments/scale", "replicasets",
			"replicasets/status", "replicasets/scale", "statefulsets", "statefulsets/status", "statefulsets/scale",
			"daemonsets", "daemonsets/status"),
		rule(read...).in(batch).on("jobs", "jobs/status", "cronjobs", "cronjobs/status"),
		rule(read...).in(policy).on("poddisruptionbudgets", "poddisruptionbudgets/status"),
		rule(read...).in(autoscaling).on("horizontalpodautoscalers", "horizontalpodautoscalers/status"),
		// What system:aggregated-metrics-reader is aggregated into view
		// for in Kubernetes; tinykube does not aggregate roles, so the
		// rule is written out here (and so reaches edit and admin).
		metricsReaderRule,
	}
}

// metricsReaderRule reads the resource metrics API (`kubectl top`).
var metricsReaderRule = rule(read...).in(metricsGroup).on("pods", "nodes")

// editRules add to view the writes of a namespace's workloads, and its
// Secrets, but not its roles and bindings.
func editRules() []api.PolicyRule {
	rules := []api.PolicyRule{
		rule(write...).in(core).on("pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy",
			"configmaps", "endpoints", "persistentvolumeclaims", "services", "services/proxy", "secrets", "serviceaccounts"),
		// Streams (exec, attach, port-forward) also open with a GET.
		rule("get").in(core).on("pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "services/proxy"),
		rule(read...).in(core).on("secrets"),
		rule("create").in(core).on("pods/eviction", "serviceaccounts/token"),
		rule("impersonate").in(core).on("serviceaccounts"),
		rule(write...).in(apps).on("deployments", "deployments/scale", "replicasets", "replicasets/scale",
			"statefulsets", "statefulsets/scale", "daemonsets"),
		rule(write...).in(batch).on("jobs", "cronjobs"),
		rule(write...).in(policy).on("poddisruptionbudgets"),
		rule(write...).in(autoscaling).on("horizontalpodautoscalers"),
		rule(readWrite...).in(coordination).on("leases"),
	}
	return append(rules, viewRules()...)
}

// adminRules add to edit a namespace's roles and bindings (within what
// admin holds: escalation prevention still applies) and access reviews
// in it.
func adminRules() []api.PolicyRule {
	rules := []api.PolicyRule{
		rule(readWrite...).in(api.RBACGroup).on("roles", "rolebindings"),
		rule("create").in(authz).on("localsubjectaccessreviews"),
	}
	return append(rules, editRules()...)
}

// BootstrapClusterRoles returns the default ClusterRoles, labelled
// kubernetes.io/bootstrapping=rbac-defaults.
func BootstrapClusterRoles() []*api.ClusterRole {
	roles := []struct {
		name  string
		rules []api.PolicyRule
	}{
		{ClusterAdmin, []api.PolicyRule{rule(All).in(All).on(All), rule(All).urls(All)}},
		{AdminRole, adminRules()},
		{EditRole, editRules()},
		{ViewRole, viewRules()},
		{DiscoveryRole, []api.PolicyRule{
			rule("get").urls("/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/readyz",
				"/openapi", "/openapi/*", "/version", "/version/"),
		}},
		{BasicUserRole, []api.PolicyRule{
			rule("create").in(authn).on("selfsubjectreviews"),
			rule("create").in(authz).on("selfsubjectaccessreviews", "selfsubjectrulesreviews"),
		}},
		{PublicInfoViewerRole, []api.PolicyRule{
			rule("get").urls("/healthz", "/livez", "/readyz", "/version", "/version/"),
		}},
		{MonitoringRole, []api.PolicyRule{
			rule("get").urls("/healthz", "/healthz/*", "/livez", "/livez/*", "/readyz", "/readyz/*", "/metrics", "/metrics/slis"),
		}},
		{SchedulerRole, SchedulerRules()},
		{ControllerManagerRole, ControllerManagerRules()},
		{NodeBootstrapperRole, []api.PolicyRule{
			rule("create", "get", "list", "watch").in(certificates).on("certificatesigningrequests"),
		}},
		{NodeClientApproverRole, []api.PolicyRule{
			rule("create").in(certificates).on("certificatesigningrequests/nodeclient"),
		}},
		{SelfNodeClientRenewRole, []api.PolicyRule{
			rule("create").in(certificates).on("certificatesigningrequests/selfnodeclient"),
		}},
		{NodeProxierRole, append([]api.PolicyRule{
			rule("list", "watch").in(core).on("services", "endpoints"),
			rule(read...).in(core).on("nodes"),
		}, eventRules...)},
		{AggregatedMetricsReaderRole, []api.PolicyRule{metricsReaderRule}},
	}
	out := make([]*api.ClusterRole, 0, len(roles))
	for _, r := range roles {
		cr := &api.ClusterRole{ObjectMeta: bootstrapMeta(r.name), Rules: r.rules}
		switch r.name {
		case AdminRole, EditRole, ViewRole:
			// The user-facing roles: Kubernetes aggregates others into
			// them by these labels; here their rules are written out.
			cr.Labels["rbac.authorization.k8s.io/aggregate-to-"+r.name] = "true"
		case AggregatedMetricsReaderRole:
			// Labelled as metrics-server labels it, for a reader who
			// knows aggregation; tinykube does not aggregate, and has
			// its rule written into view, edit and admin instead.
			for _, to := range []string{ViewRole, EditRole, AdminRole} {
				cr.Labels["rbac.authorization.k8s.io/aggregate-to-"+to] = "true"
			}
		}
		out = append(out, cr)
	}
	return out
}

// BootstrapClusterRoleBindings returns the default ClusterRoleBindings,
// each named after its ClusterRole.
func BootstrapClusterRoleBindings() []*api.ClusterRoleBinding {
	group := func(n string) api.Subject {
		return api.Subject{Kind: api.SubjectGroup, APIGroup: api.RBACGroup, Name: n}
	}
	user := func(n string) api.Subject {
		return api.Subject{Kind: api.SubjectUser, APIGroup: api.RBACGroup, Name: n}
	}
	bindings := []struct {
		role     string
		subjects []api.Subject
	}{
		{ClusterAdmin, []api.Subject{group(auth.Masters)}},
		{DiscoveryRole, []api.Subject{group(auth.AllAuthenticated)}},
		{BasicUserRole, []api.Subject{group(auth.AllAuthenticated)}},
		{PublicInfoViewerRole, []api.Subject{group(auth.AllAuthenticated), group(auth.AllUnauthenticated)}},
		{MonitoringRole, []api.Subject{group(auth.Monitoring)}},
		{SchedulerRole, []api.Subject{user(auth.KubeScheduler)}},
		{ControllerManagerRole, []api.Subject{user(auth.KubeControllerManager)}},
		{NodeBootstrapperRole, []api.Subject{group(auth.Bootstrappers)}},
		{NodeClientApproverRole, []api.Subject{group(auth.Bootstrappers)}},
		{SelfNodeClientRenewRole, []api.Subject{group(auth.Nodes)}},
		{NodeProxierRole, []api.Subject{user(auth.KubeProxy)}},
	}
	out := make([]*api.ClusterRoleBinding, 0, len(bindings))
	for _, b := range bindings {
		out = append(out, &api.ClusterRoleBinding{ObjectMeta: bootstrapMeta(b.role), Subjects: b.subjects,
			RoleRef: api.RoleRef{APIGroup: api.RBACGroup, Kind: "ClusterRole", Name: b.role}})
	}
	return out
}

func bootstrapMeta(name string) api.ObjectMeta {
	return api.ObjectMeta{Name: name, Labels: map[string]string{BootstrapLabel: BootstrapValue},
		Annotations: map[string]string{AutoUpdateAnnotation: "true"}}
}
