package apiserver

import "strings"

// mediaRange is one entry of an Accept header: a media type and its
// parameters, e.g. application/json;as=Table;v=v1;g=meta.k8s.io.
type mediaRange struct {
	typ    string            // "application/json", lower case
	params map[string]string // "as" → "Table"; keys lower case
}

// parseAccept splits an Accept header into its media ranges, in the order
// the client gave them (Kubernetes clients list them by preference and send
// no q values). A malformed parameter is ignored.
func parseAccept(h string) []mediaRange {
	var out []mediaRange
	for _, part := range strings.Split(h, ",") {
		fields := strings.Split(part, ";")
		mr := mediaRange{typ: strings.ToLower(strings.TrimSpace(fields[0])), params: map[string]string{}}
		if mr.typ == "" {
			continue
		}
		for _, f := range fields[1:] {
			k, v, ok := strings.Cut(f, "=")
			if !ok {
				continue
			}
			mr.params[strings.ToLower(strings.TrimSpace(k))] = strings.Trim(strings.TrimSpace(v), `"`)
		}
		out = append(out, mr)
	}
	return out
}

// isJSON reports whether a media range admits a JSON answer.
func (m mediaRange) isJSON() bool {
	return m.typ == "application/json" || m.typ == "application/*" || m.typ == "*/*"
}

// asKind reports whether the range asks for the answer converted to the
// kind as (Table, APIGroupDiscoveryList) of the group g in one of the
// versions, and which version.
func (m mediaRange) asKind(as, g string, versions ...string) (string, bool) {
	if !m.isJSON() || m.params["as"] != as || m.params["g"] != g {
		return "", false
	}
	for _, v := range versions {
		if m.params["v"] == v {
			return v, true
		}
	}
	return "", false
}
