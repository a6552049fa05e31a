package httpapi

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// maxProtobufFields caps the fields of a protobuf body, counted through
// every message nested in it, before it is decoded: an empty repeated
// message is two bytes on the wire and a whole Go struct once decoded (1.4
// million empty containers are a gigabyte). It is the API server's cap on
// a JSON body's values (apiserver's maxBodyValues).
const maxProtobufFields = 100_000

// protobufMagic opens every body in Kubernetes' protobuf envelope.
var protobufMagic = []byte("k8s\x00")

// maxProtobufDepth caps how deep protoFields looks into nested messages.
const maxProtobufDepth = 32

// checkProtobufShape returns an error when body, a protobuf message, has
// more than maxProtobufFields fields. It reads the wire format without
// the schema: a length-delimited field whose bytes parse as a message is
// counted as one (its fields counted too), which can only overcount a
// string that happens to look like a message.
func checkProtobufShape(body []byte) error {
	body = bytes.TrimPrefix(body, protobufMagic)
	if n, ok := protoFields(body, 0, maxProtobufFields); !ok && n > maxProtobufFields {
		return fmt.Errorf("it has more than %d fields: split the object", maxProtobufFields)
	}
	return nil
}

// protoFields counts the fields of b, a message, and of the messages in
// it, stopping past limit. ok is false when b is not a well-formed message
// (or the count passed limit).
func protoFields(b []byte, depth, limit int) (n int, ok bool) {
	for len(b) > 0 {
		tag, k := binary.Uvarint(b)
		if k <= 0 || tag>>3 == 0 {
			return n, false
		}
		b = b[k:]
		n++
		switch tag & 7 {
		case 0: // varint
			if _, k = binary.Uvarint(b); k <= 0 {
				return n, false
			}
			b = b[k:]
		case 1: // fixed64
			if len(b) < 8 {
				return n, false
			}
			b = b[8:]
		case 5: // fixed32
			if len(b) < 4 {
				return n, false
			}
			b = b[4:]
		case 2: // bytes, a string or a message
			l, k := binary.Uvarint(b)
			if k <= 0 || l > uint64(len(b)-k) {
				return n, false
			}
			payload := b[k : k+int(l)]
			b = b[k+int(l):]
			if depth < maxProtobufDepth {
				if m, ok := protoFields(payload, depth+1, limit-n); ok {
					n += m
				} else if m > limit-n {
					return n + m, false
				}
			}
		default:
			return n, false
		}
		if n > limit {
			return n, false
		}
	}
	return n, true
}
