package dns

import "net/netip"

// Type is a record type, numbered as on the wire (RFC 1035 and later).
type Type uint16

// The record types the cluster zone holds, and ANY.
const (
	TypeA     Type = 1
	TypeCNAME Type = 5
	TypeSOA   Type = 6
	TypeAAAA  Type = 28
	TypeSRV   Type = 33
	TypeANY   Type = 255
)

// Rcode is a response code, numbered as on the wire.
type Rcode uint8

// The response codes Answer gives.
const (
	RcodeSuccess  Rcode = 0
	RcodeNXDomain Rcode = 3
)

// Question asks for the records of one type at one name. Name may end in
// a dot or not, in any letter case.
type Question struct {
	Name string
	Type Type
}

// Response is the zone's answer to a Question.
type Response struct {
	// Mine is false when the name is outside the zone: nothing else is
	// set, and the caller forwards the question or refuses it.
	Mine bool
	// Rcode is RcodeNXDomain when no such name exists in the zone, and
	// RcodeSuccess otherwise, even with no Answers.
	Rcode Rcode
	// Answers are the records, CNAMEs first in the order they were
	// followed, then the records at the final name sorted by value.
	Answers []Record
	// Zone is the zone's apex ("cluster.local."), for the SOA a server
	// puts beside empty answers so resolvers cache them only briefly.
	Zone string
}

// Record is one resource record. Names are fully qualified, lower case,
// with the trailing dot.
type Record struct {
	Name string
	Type Type
	// A holds the address of an A record.
	A netip.Addr
	// Target is a CNAME's or an SRV's target.
	Target string
	// SRV fields.
	Priority, Weight, Port uint16
}
