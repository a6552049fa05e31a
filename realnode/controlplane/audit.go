package controlplane

import (
	"fmt"
	"os"
	"time"

	coreaudit "github.com/tinykube/tinykube/core/audit"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/realnode/audit"
	"github.com/tinykube/tinykube/realnode/httpapi"
)

// serverAudit is a server's audit log and the policy it records by.
type serverAudit struct {
	policy *coreaudit.Policy
	log    *audit.Logger
}

// openAudit reads cfg.Audit: the policy file (or DefaultPolicy when none
// is given) and the log it opens, and says on the server's log where the
// events go. Without a log path it does nothing. A policy that cannot be
// read fails with the file's name and the field that is wrong; unknown
// fields are only reported.
func (s *Server) openAudit() error {
	c := s.cfg.Audit
	if c.LogPath == "" {
		if c.PolicyFile != "" {
			fmt.Fprintf(s.cfg.Log, "audit: --audit-policy-file %s is ignored without --audit-log-path\n", c.PolicyFile)
		}
		return nil
	}
	policy, source := coreaudit.DefaultPolicy(), "the default policy (changes at Metadata; reads, events, leases and node heartbeats left out)"
	if c.PolicyFile != "" {
		data, err := os.ReadFile(c.PolicyFile)
		if err != nil {
			return fmt.Errorf("--audit-policy-file: %v", err)
		}
		p, warnings, err := coreaudit.ParsePolicy(data)
		for _, w := range warnings {
			fmt.Fprintf(s.cfg.Log, "audit policy %s: %s\n", c.PolicyFile, w)
		}
		if err != nil {
			return fmt.Errorf("--audit-policy-file %s: %v", c.PolicyFile, err)
		}
		policy, source = p, "policy "+c.PolicyFile
	}
	log, err := audit.Open(audit.Config{Path: c.LogPath, MaxSizeMB: c.MaxSizeMB, MaxBackups: c.MaxBackups,
		MaxAgeDays: c.MaxAgeDays, Errors: s.cfg.Log})
	if err != nil {
		return fmt.Errorf("--audit-log-path: %v", err)
	}
	s.audit = &serverAudit{policy: policy, log: log}
	where := c.LogPath
	if where == "-" {
		where = "standard output"
	}
	fmt.Fprintf(s.cfg.Log, "audit log: %s, by %s\n", where, source)
	return nil
}

// auditOptions is the edge's Audit: nil without a log.
func (s *Server) auditOptions() *httpapi.Audit {
	if s.audit == nil {
		return nil
	}
	return &httpapi.Audit{Policy: s.audit.policy, Log: s.audit.log}
}

// closeAudit writes what the log has queued and closes it. Call it after
// the listener is shut down, so no request is still being recorded.
func (s *Server) closeAudit() error {
	if s.audit == nil {
		return nil
	}
	return s.audit.log.Close()
}

// auditLocal records an in-process call of the server's own components
// (scheduler, controller manager), which reach the API without HTTP and
// so past the edge's audit: who they are, what they changed, the answer.
// It writes ResponseComplete only, with no source IP; watches (streams)
// are not recorded.
func (s *Server) auditLocal(req *rest.Request, received time.Time, resp *rest.Response) {
	if s.audit == nil || resp == nil || resp.Stream != nil {
		return
	}
	attrs := authorizer.AttributesFor(req)
	cfg := s.audit.policy.Evaluate(attrs)
	if !cfg.Records(coreaudit.StageResponseComplete) {
		return
	}
	uri := req.Path
	if len(req.Query) > 0 {
		uri += "?" + req.Query.Encode()
	}
	ev := coreaudit.NewEvent(cfg.Level, coreaudit.Request{AuditID: audit.NewID(), Received: received, URI: uri,
		UserAgent: req.UserAgent, Attributes: attrs})
	ev.SetRequestObject(req.Body, cfg.OmitManagedFields)
	ev.SetResponse(resp.Code, resp.Body, cfg.OmitManagedFields)
	ev.Annotate(resp.AuditAnnotations)
	s.audit.log.Log(ev.At(coreaudit.StageResponseComplete, time.Now()))
}
