package api

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func fieldsOf(errs FieldErrors) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Field)
	}
	return out
}

func TestValidateRBAC(t *testing.T) {
	ref := func(kind, name string) RoleRef { return RoleRef{APIGroup: RBACGroup, Kind: kind, Name: name} }
	user := Subject{Kind: SubjectUser, APIGroup: RBACGroup, Name: "jane"}
	sa := Subject{Kind: SubjectServiceAccount, Name: "ci"}
	pods := PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}}
	urls := PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}}
	role := func(rules ...PolicyRule) Object {
		return &Role{ObjectMeta: ObjectMeta{Name: "r", Namespace: "ns"}, Rules: rules}
	}
	crole := func(name string, rules ...PolicyRule) Object {
		return &ClusterRole{ObjectMeta: ObjectMeta{Name: name}, Rules: rules}
	}
	rb := func(r RoleRef, s ...Subject) Object {
		return &RoleBinding{ObjectMeta: ObjectMeta{Name: "b", Namespace: "ns"}, RoleRef: r, Subjects: s}
	}
	crb := func(r RoleRef, s ...Subject) Object {
		return &ClusterRoleBinding{ObjectMeta: ObjectMeta{Name: "b"}, RoleRef: r, Subjects: s}
	}
	for _, tc := range []struct {
		name string
		obj  Object
		want []string
	}{
		{"role", role(pods), nil},
		{"system name", crole("system:kube-scheduler", pods, urls), nil},
		{"name with a slash", crole("a/b", pods), []string{"metadata.name"}},
		{"no verbs", role(PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}}), []string{"rules[0].verbs"}},
		{"no groups nor resources", role(PolicyRule{Verbs: []string{"get"}}), []string{"rules[0].apiGroups", "rules[0].resources"}},
		{"urls in a Role", role(urls), []string{"rules[0].nonResourceURLs"}},
		{"urls and resources", crole("c", PolicyRule{Verbs: []string{"get"}, Resources: []string{"pods"}, NonResourceURLs: []string{"/x"}}), []string{"rules[0].nonResourceURLs"}},
		{"binding", rb(ref("Role", "r"), user, sa), nil},
		{"cluster binding of a Role", crb(ref("Role", "r"), user), []string{"roleRef.kind"}},
		{"roleRef group", rb(RoleRef{Kind: "Role", Name: "r"}), []string{"roleRef.apiGroup"}},
		{"roleRef name", rb(ref("ClusterRole", "")), []string{"roleRef.name"}},
		{"service account needs a namespace cluster-wide", crb(ref("ClusterRole", "view"), sa), []string{"subjects[0].namespace"}},
		{"service account with a namespace", crb(ref("ClusterRole", "view"), Subject{Kind: SubjectServiceAccount, Name: "ci", Namespace: "ns"}), nil},
		{"unknown kind", rb(ref("Role", "r"), Subject{Kind: "Robot", Name: "x"}), []string{"subjects[0].kind"}},
		{"user without a name", rb(ref("Role", "r"), Subject{Kind: SubjectUser, APIGroup: RBACGroup}), []string{"subjects[0].name"}},
		{"user of the core group", rb(ref("Role", "r"), Subject{Kind: SubjectUser, APIGroup: "v1", Name: "x"}), []string{"subjects[0].apiGroup"}},
	} {
		if diff := cmp.Diff(tc.want, fieldsOf(Validate(tc.obj))); diff != "" {
			t.Errorf("%s: Validate fields (-want +got)\n%s", tc.name, diff)
		}
	}
}

func TestRoleRefIsImmutable(t *testing.T) {
	old := &RoleBinding{ObjectMeta: ObjectMeta{Name: "b", Namespace: "ns"}, RoleRef: RoleRef{APIGroup: RBACGroup, Kind: "ClusterRole", Name: "view"}}
	next := DeepCopy(old)
	next.RoleRef.Name = "edit"
	if diff := cmp.Diff([]string{"roleRef"}, fieldsOf(ValidateUpdate(next, old))); diff != "" {
		t.Errorf("ValidateUpdate of a changed roleRef: fields (-want +got)\n%s", diff)
	}
}

func TestDefaultSubjects(t *testing.T) {
	b := &RoleBinding{Subjects: []Subject{{Kind: SubjectUser, Name: "u"}, {Kind: SubjectGroup, Name: "g"}, {Kind: SubjectServiceAccount, Name: "s"}}}
	Default(b)
	got := []string{b.Subjects[0].APIGroup, b.Subjects[1].APIGroup, b.Subjects[2].APIGroup}
	if diff := cmp.Diff([]string{RBACGroup, RBACGroup, ""}, got); diff != "" {
		t.Errorf("Default subjects' apiGroups (-want +got)\n%s", diff)
	}
}
