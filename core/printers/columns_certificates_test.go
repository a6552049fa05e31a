package printers

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
)

func TestCSRRow(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	hour := int32(3600)
	cond := func(types ...string) []api.CertificateSigningRequestCondition {
		var out []api.CertificateSigningRequestCondition
		for _, ty := range types {
			out = append(out, api.CertificateSigningRequestCondition{Type: ty, Status: "True"})
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		conds []api.CertificateSigningRequestCondition
		cert  []byte
		exp   *int32
		want  []string
	}{
		{"pending", nil, nil, nil, []string{"csr", "5m", api.SignerKubeletServing, "system:node:n1", "<none>", "Pending"}},
		{"issued", cond(api.CertificateApproved), []byte("x"), &hour, []string{"csr", "5m", api.SignerKubeletServing, "system:node:n1", "60m", "Approved,Issued"}},
		{"failed", cond(api.CertificateApproved, api.CertificateFailed), nil, nil, []string{"csr", "5m", api.SignerKubeletServing, "system:node:n1", "<none>", "Approved,Failed"}},
		{"denied", cond(api.CertificateDenied), nil, nil, []string{"csr", "5m", api.SignerKubeletServing, "system:node:n1", "<none>", "Denied"}},
	} {
		c := &api.CertificateSigningRequest{
			ObjectMeta: api.ObjectMeta{Name: "csr", CreationTimestamp: api.NewTime(now.Add(-5 * time.Minute))},
			Spec:       api.CertificateSigningRequestSpec{SignerName: api.SignerKubeletServing, Username: "system:node:n1", ExpirationSeconds: tc.exp},
			Status:     api.CertificateSigningRequestStatus{Conditions: tc.conds, Certificate: tc.cert},
		}
		if diff := cmp.Diff(tc.want, csrRow(c, now).Cells); diff != "" {
			t.Errorf("%s: csrRow (-want +got):\n%s", tc.name, diff)
		}
	}
}
