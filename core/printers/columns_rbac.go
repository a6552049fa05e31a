package printers

// Columns of the RBAC kinds as kubectl prints them: roles show when they
// were created (a timestamp, not an age), bindings the role they grant
// and, wide, to whom.

import (
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

var roleColumns = []Column{{Name: "NAME"}, {Name: "CREATED AT"}}

// createdAt is a creation time in RFC 3339, UTC, as kubectl shows roles'.
func createdAt(m *api.ObjectMeta) string {
	if m.CreationTimestamp == nil || m.CreationTimestamp.IsZero() {
		return "<unknown>"
	}
	return m.CreationTimestamp.UTC().Format(time.RFC3339)
}

func roleRow(r *api.Role, _ time.Time) Row {
	return Row{Cells: []string{r.Name, createdAt(&r.ObjectMeta)}}
}

func clusterRoleRow(r *api.ClusterRole, _ time.Time) Row {
	return Row{Cells: []string{r.Name, createdAt(&r.ObjectMeta)}}
}

var roleBindingColumns = []Column{
	{Name: "NAME"}, {Name: "ROLE"}, {Name: "AGE"},
	{Name: "USERS", Wide: true}, {Name: "GROUPS", Wide: true}, {Name: "SERVICEACCOUNTS", Wide: true},
}

// bindingCells fills a binding's row: ROLE is Kind/name; service accounts
// are shown as namespace/name.
func bindingCells(m *api.ObjectMeta, ref api.RoleRef, subjects []api.Subject, now time.Time) Row {
	var users, groups, sas []string
	for _, s := range subjects {
		switch s.Kind {
		case api.SubjectUser:
			users = append(users, s.Name)
		case api.SubjectGroup:
			groups = append(groups, s.Name)
		case api.SubjectServiceAccount:
			sas = append(sas, s.Namespace+"/"+s.Name)
		}
	}
	return Row{Cells: []string{m.Name, ref.Kind + "/" + ref.Name, Age(m.CreationTimestamp, now),
		strings.Join(users, ", "), strings.Join(groups, ", "), strings.Join(sas, ", ")}}
}

func roleBindingRow(b *api.RoleBinding, now time.Time) Row {
	return bindingCells(&b.ObjectMeta, b.RoleRef, b.Subjects, now)
}

func clusterRoleBindingRow(b *api.ClusterRoleBinding, now time.Time) Row {
	return bindingCells(&b.ObjectMeta, b.RoleRef, b.Subjects, now)
}
