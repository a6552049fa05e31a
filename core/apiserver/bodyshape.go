package apiserver

import (
	"bytes"

	"github.com/tinykube/tinykube/core/rest"
)

// The size of a body says little about what decoding it costs: `[{},{},…]`
// is three bytes per element on the wire and a whole Go struct per element
// once decoded (a million empty containers in a pod are half a gigabyte),
// and a map of 150,000 tiny keys takes seconds to validate. checkBodyShape
// bounds the shape of a JSON body before anything decodes it.
const (
	// maxBodyValues caps the values (objects, lists and their elements)
	// of one body. Real objects, even a large custom resource definition,
	// have a few tens of thousands.
	maxBodyValues = 100_000
	// maxBodyDepth caps the nesting of one body, as Go's and Kubernetes'
	// JSON decoders do (10,000): real objects nest a few tens deep.
	maxBodyDepth = 10_000
)

// checkBodyShape refuses, 400 BadRequest, a JSON body (any of the JSON
// media types, and the YAML and protobuf ones the HTTP front converts to
// JSON) with more than maxBodyValues values or nested more than
// maxBodyDepth deep. It scans the bytes once and allocates nothing; it does
// not check that the body is valid JSON (the decoders do).
func checkBodyShape(req *rest.Request) error {
	b := bytes.TrimSpace(req.Body)
	if len(b) == 0 || (b[0] != '{' && b[0] != '[') {
		return nil
	}
	values, depth, inString := 0, 0, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			values++
			depth++
			if depth > maxBodyDepth {
				return errBadRequest("the request body nests more than %d levels deep: no object needs that", maxBodyDepth)
			}
		case '}', ']':
			depth--
		case ',':
			values++
		}
		if values > maxBodyValues {
			return errBadRequest("the request body has more than %d values: split the object, or keep bulk data out of the API (in a volume or an image)", maxBodyValues)
		}
	}
	return nil
}
