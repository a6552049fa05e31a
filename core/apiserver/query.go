package apiserver

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/core/rest"
)

// queryChecks says, for each query parameter the API reads, what a value
// must look like. A value that does not parse is refused up front, 400
// naming the parameter and the value, before any handler reads it: a
// client that writes timeoutSeconds=abc learns of its mistake instead of
// having the parameter silently ignored. Handlers still read the values
// for their meaning (and check what only they can, such as whether
// options go together).
var queryChecks = map[string]func(v string) string{
	"timeoutSeconds":       nonNegativeInteger,
	"limit":                nonNegativeInteger,
	"gracePeriodSeconds":   integer,
	"resourceVersion":      resourceVersionValue,
	"watch":                boolean,
	"allowWatchBookmarks":  boolean,
	"sendInitialEvents":    boolean,
	"pretty":               boolean,
	"orphanDependents":     boolean,
	"resourceVersionMatch": oneOf("Exact", "NotOlderThan"),
	"propagationPolicy":    oneOf(PropagationBackground, PropagationForeground, PropagationOrphan),
	"fieldManager":         managerName,
}

// checkQuery refuses, 400 BadRequest, the first query parameter of req
// (in name order) whose value does not parse as queryChecks says.
// Parameters it does not know are left to the handlers (or ignored, as
// Kubernetes ignores them).
func checkQuery(req *rest.Request) error {
	names := make([]string, 0, len(req.Query))
	for name := range req.Query {
		if queryChecks[name] != nil {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		for _, v := range req.Query[name] {
			if why := queryChecks[name](v); why != "" {
				return errBadRequest("invalid %s %s: %s", name, quoteClipped(v), why)
			}
		}
	}
	return nil
}

// quoteClipped quotes v for a message, clipped to its first 64 bytes: a
// megabyte of garbage in a parameter need not come back in the answer.
func quoteClipped(v string) string {
	if len(v) > 64 {
		return strconv.Quote(v[:64]) + fmt.Sprintf(" (%d bytes)", len(v))
	}
	return strconv.Quote(v)
}

func nonNegativeInteger(v string) string {
	if n, err := strconv.ParseInt(v, 10, 64); err != nil || n < 0 {
		return "it must be a non-negative integer"
	}
	return ""
}

func integer(v string) string {
	if _, err := strconv.ParseInt(v, 10, 64); err != nil {
		return "it must be an integer"
	}
	return ""
}

func resourceVersionValue(v string) string {
	if v == "" {
		return ""
	}
	return nonNegativeInteger(v)
}

// boolean accepts what Kubernetes' clients send for a flag: true, false, 1,
// 0, in any case, or nothing.
func boolean(v string) string {
	switch strings.ToLower(v) {
	case "", "true", "false", "1", "0":
		return ""
	}
	return "it must be true or false"
}

// oneOf accepts nothing or one of values.
func oneOf(values ...string) func(string) string {
	return func(v string) string {
		if v == "" || slices.Contains(values, v) {
			return ""
		}
		return "it must be one of " + strings.Join(values, ", ")
	}
}

func managerName(v string) string {
	if len(v) > maxManagerLength {
		return fmt.Sprintf("it must be at most %d characters", maxManagerLength)
	}
	return ""
}
