package client

import (
	"context"

	"github.com/tinykube/tinykube/core/rest"
)

// Local is a Transport that hands each request to a handler in the same
// process, such as (*apiserver.Server).Handle. Tests use it; it never loses
// a request or an answer.
type Local func(ctx context.Context, req *rest.Request) *rest.Response

// Do calls the handler.
func (l Local) Do(ctx context.Context, req *rest.Request) (*rest.Response, error) {
	return l(ctx, req), nil
}
