package dns

import (
	"strings"

	"golang.org/x/net/dns/dnsmessage"

	cdns "github.com/tinykube/tinykube/core/dns"
)

// maxUDP is what a client without EDNS0 accepts over UDP (RFC 1035), and
// maxEDNS the most we send whatever it offers.
const (
	maxUDP  = 512
	maxEDNS = 4096
)

// request is what handle needs from a client's message.
type request struct {
	header   dnsmessage.Header
	question dnsmessage.Question
	udpSize  int  // how big a UDP answer may be
	edns     bool // the client sent an OPT record: answer with one
}

// handle answers one message, or returns nil when it is not worth an
// answer (too mangled to have an ID, or itself a response).
func (s *Server) handle(msg []byte, udp bool) []byte {
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil || h.Response {
		return nil
	}
	req := request{header: h, udpSize: maxUDP}
	qs, err := p.AllQuestions()
	if err != nil || len(qs) != 1 {
		return s.errorReply(req, dnsmessage.RCodeFormatError, false)
	}
	req.question = qs[0]
	if p.SkipAllAnswers() == nil && p.SkipAllAuthorities() == nil {
		if extra, err := p.AllAdditionals(); err == nil {
			for _, rr := range extra {
				if rr.Header.Type == dnsmessage.TypeOPT {
					req.edns = true
					req.udpSize = min(max(int(rr.Header.Class), maxUDP), maxEDNS)
				}
			}
		}
	}
	if h.OpCode != 0 {
		return s.errorReply(req, dnsmessage.RCodeNotImplemented, false)
	}
	name := strings.ToLower(req.question.Name.String())
	if name != s.zone && !strings.HasSuffix(name, "."+s.zone) {
		return s.forward(msg, req, udp)
	}
	records := s.records.Load()
	if records == nil || req.question.Class != dnsmessage.ClassINET {
		// Not synced yet: say so rather than deny names we have not seen.
		return s.errorReply(req, dnsmessage.RCodeServerFailure, false)
	}
	resp := records.Answer(cdns.Question{Name: name, Type: cdns.Type(req.question.Type)})
	var answers []any
	for _, r := range resp.Answers {
		answers = append(answers, r)
	}
	if n := len(resp.Answers); n > 0 && resp.Answers[n-1].Type == cdns.TypeCNAME && req.question.Type != dnsmessage.TypeCNAME {
		// An ExternalName leaving the zone: add the target's records, as
		// a stub resolver expects the whole chain in one answer.
		for _, r := range s.chase(resp.Answers[n-1].Target, req.question.Type) {
			answers = append(answers, r)
		}
	}
	out := s.pack(req, dnsmessage.RCode(resp.Rcode), answers, false)
	if udp && len(out) > req.udpSize {
		out = s.pack(req, dnsmessage.RCode(resp.Rcode), nil, true)
	}
	return out
}

// errorReply answers with rcode and no records.
func (s *Server) errorReply(req request, rcode dnsmessage.RCode, authoritative bool) []byte {
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: req.header.ID, Response: true, OpCode: req.header.OpCode,
		RecursionDesired: req.header.RecursionDesired, RecursionAvailable: true, RCode: rcode, Authoritative: authoritative})
	b.StartQuestions()
	if req.question.Name.Length > 0 {
		b.Question(req.question)
	}
	out, _ := b.Finish()
	return out
}

// pack builds an authoritative answer. Records other than chased ones
// carry the zone's TTL; an empty answer carries the zone's SOA so that
// resolvers cache the absence for the same TTL only (RFC 2308). truncated
// leaves every record out and sets TC.
func (s *Server) pack(req request, rcode dnsmessage.RCode, answers []any, truncated bool) []byte {
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: req.header.ID, Response: true, Authoritative: true,
		RecursionDesired: req.header.RecursionDesired, RecursionAvailable: true, RCode: rcode, Truncated: truncated})
	b.EnableCompression()
	b.StartQuestions()
	b.Question(req.question)
	b.StartAnswers()
	for _, a := range answers {
		switch a := a.(type) {
		case cdns.Record:
			s.resource(&b, a)
		case dnsmessage.Resource:
			packResource(&b, a)
		}
	}
	b.StartAuthorities()
	if len(answers) == 0 && !truncated {
		zone := dnsmessage.MustNewName(s.zone)
		b.SOAResource(dnsmessage.ResourceHeader{Name: zone, Class: dnsmessage.ClassINET, TTL: s.cfg.TTL}, dnsmessage.SOAResource{
			NS: dnsmessage.MustNewName("ns.dns." + s.zone), MBox: dnsmessage.MustNewName("hostmaster." + s.zone),
			Serial: 1, Refresh: 7200, Retry: 1800, Expire: 86400, MinTTL: s.cfg.TTL})
	}
	b.StartAdditionals()
	if req.edns {
		var opt dnsmessage.ResourceHeader
		opt.SetEDNS0(maxEDNS, dnsmessage.RCodeSuccess, false)
		b.OPTResource(opt, dnsmessage.OPTResource{})
	}
	out, err := b.Finish()
	if err != nil {
		return s.errorReply(req, dnsmessage.RCodeServerFailure, false)
	}
	return out
}

// resource adds one record of the zone.
func (s *Server) resource(b *dnsmessage.Builder, r cdns.Record) {
	name, err := dnsmessage.NewName(r.Name)
	if err != nil {
		return
	}
	h := dnsmessage.ResourceHeader{Name: name, Class: dnsmessage.ClassINET, TTL: s.cfg.TTL}
	switch r.Type {
	case cdns.TypeA:
		b.AResource(h, dnsmessage.AResource{A: r.A.As4()})
	case cdns.TypeCNAME:
		if t, err := dnsmessage.NewName(r.Target); err == nil {
			b.CNAMEResource(h, dnsmessage.CNAMEResource{CNAME: t})
		}
	case cdns.TypeSRV:
		if t, err := dnsmessage.NewName(r.Target); err == nil {
			b.SRVResource(h, dnsmessage.SRVResource{Priority: r.Priority, Weight: r.Weight, Port: r.Port, Target: t})
		}
	}
}

// packResource copies a record an upstream gave.
func packResource(b *dnsmessage.Builder, r dnsmessage.Resource) {
	switch body := r.Body.(type) {
	case *dnsmessage.AResource:
		b.AResource(r.Header, *body)
	case *dnsmessage.AAAAResource:
		b.AAAAResource(r.Header, *body)
	case *dnsmessage.CNAMEResource:
		b.CNAMEResource(r.Header, *body)
	}
}
