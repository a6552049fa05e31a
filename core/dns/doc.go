// Package dns is cluster DNS without the wire: it turns Services and their
// Endpoints into Records, the names a pod may look up in the cluster zone
// (cluster.local unless configured otherwise), and answers questions about
// them.
//
//	web.default.svc.cluster.local              A      the cluster IP
//	db.default.svc.cluster.local               A      every ready address (headless)
//	db-0.db.default.svc.cluster.local          A      the address whose endpoint hostname is db-0
//	mail.default.svc.cluster.local             CNAME  spec.externalName
//	_http._tcp.web.default.svc.cluster.local   SRV    0 100 80 web.default.svc.cluster.local.
//
// Build is a pure function of the objects, so two Records built from the
// same objects are equal whatever order they came in, and Answer is a pure
// function of Records and the question. Answer distinguishes three cases a
// server must tell apart: a name outside the zone (not ours: forward it or
// refuse), a name in the zone that does not exist (NXDOMAIN), and one that
// exists without records of the asked type (NOERROR, empty: an AAAA
// question for an IPv4 service, or an empty headless service).
//
// The Resolver component keeps Records current from informers on a Loop
// and hands each new value to its Publish callback; realnode's server
// answers from the latest value on many goroutines at once, which is safe
// because Records is never modified after Build.
//
// ResolvConf and Hosts render the files a pod sees as /etc/resolv.conf and
// /etc/hosts.
//
// Not served: pod A records (a-b-c-d.ns.pod.cluster.local), PTR records
// and IPv6 addresses.
//
// Book: chapter 11, "Services, the proxy and DNS" (book/11-services.md).
package dns
