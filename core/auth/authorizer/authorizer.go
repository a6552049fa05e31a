package authorizer

import (
	"context"
	"fmt"
)

// Decision is an authorizer's answer.
type Decision int

const (
	// NoOpinion leaves the decision to the next authorizer; when none is
	// left the request is denied.
	NoOpinion Decision = iota
	// Allow lets the request through at once.
	Allow
	// Deny refuses it at once; later authorizers are not asked.
	Deny
)

func (d Decision) String() string {
	switch d {
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	}
	return "NoOpinion"
}

// Authorizer decides whether a request may proceed. reason explains an
// Allow or a Deny to a reader (an access review returns it); an error
// means the authorizer could not decide (the rules could not be read),
// which denies the request.
type Authorizer interface {
	Authorize(ctx context.Context, a Attributes) (d Decision, reason string, err error)
}

// Func adapts a function to Authorizer.
type Func func(ctx context.Context, a Attributes) (Decision, string, error)

// Authorize calls f.
func (f Func) Authorize(ctx context.Context, a Attributes) (Decision, string, error) {
	return f(ctx, a)
}

// Union asks each authorizer in order; the first Allow or Deny is the
// answer, and NoOpinion from all of them is NoOpinion (a denial). An
// error is remembered and the next one asked, as Kubernetes does, so a
// broken authorizer cannot deny what a later one allows.
type Union []Authorizer

// Authorize asks each in turn.
func (u Union) Authorize(ctx context.Context, a Attributes) (Decision, string, error) {
	var errs []error
	var reasons []string
	for _, z := range u {
		d, reason, err := z.Authorize(ctx, a)
		if err != nil {
			errs = append(errs, err)
		}
		if d != NoOpinion {
			return d, reason, nil
		}
		if reason != "" {
			reasons = append(reasons, reason)
		}
	}
	var err error
	if len(errs) > 0 {
		err = fmt.Errorf("%v", errs)
	}
	reason := ""
	for i, r := range reasons {
		if i > 0 {
			reason += "; "
		}
		reason += r
	}
	return NoOpinion, reason, err
}
