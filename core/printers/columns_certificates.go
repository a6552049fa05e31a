package printers

import (
	"time"

	"github.com/tinykube/tinykube/core/api"
)

var csrColumns = []Column{
	{Name: "NAME"}, {Name: "AGE"}, {Name: "SIGNERNAME"}, {Name: "REQUESTOR"},
	{Name: "REQUESTEDDURATION"}, {Name: "CONDITION"},
}

// csrRow: REQUESTEDDURATION is spec.expirationSeconds as an age
// ("<none>" when unset); CONDITION as kubectl words it (see csrCondition).
func csrRow(c *api.CertificateSigningRequest, now time.Time) Row {
	duration := "<none>"
	if e := c.Spec.ExpirationSeconds; e != nil {
		duration = FormatAge(time.Duration(*e) * time.Second)
	}
	return Row{Cells: []string{
		c.Name, Age(c.CreationTimestamp, now), c.Spec.SignerName, c.Spec.Username, duration, csrCondition(c),
	}}
}

// csrCondition is "Pending", "Approved" or "Denied" (Denied wins over
// Approved), then ",Failed" when the signer failed and ",Issued" once a
// certificate is written: "Approved,Issued".
func csrCondition(c *api.CertificateSigningRequest) string {
	var approved, denied, failed bool
	for _, cond := range c.Status.Conditions {
		switch cond.Type {
		case api.CertificateApproved:
			approved = true
		case api.CertificateDenied:
			denied = true
		case api.CertificateFailed:
			failed = true
		}
	}
	s := "Pending"
	switch {
	case denied:
		s = "Denied"
	case approved:
		s = "Approved"
	}
	if failed {
		s += ",Failed"
	}
	if len(c.Status.Certificate) > 0 {
		s += ",Issued"
	}
	return s
}
