package client

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// CreateToken asks the API server to sign a token for ServiceAccount
// namespace/name (the serviceaccounts/token subresource, what `kubectl
// create token` calls) and returns the answered TokenRequest: the token in
// status.token, its end in status.expirationTimestamp, and in spec the
// audiences and lifetime the server granted, which may differ from those
// asked. tr's TypeMeta and name are filled in when missing.
func CreateToken(ctx context.Context, c *Client, namespace, name string, tr *api.TokenRequest) (*api.TokenRequest, error) {
	req := *tr
	if req.APIVersion == "" {
		req.TypeMeta = api.TypeMeta{APIVersion: "authentication.k8s.io/v1", Kind: "TokenRequest"}
	}
	if req.Name == "" {
		req.Name = name
	}
	if req.Namespace == "" {
		req.Namespace = namespace
	}
	body, err := json.Marshal(&req)
	if err != nil {
		return nil, err
	}
	res := api.ResourceByPlural("", "serviceaccounts")
	resp, err := c.Do(ctx, &rest.Request{Method: http.MethodPost, Path: Path(res, namespace, name, "token"), ContentType: rest.ContentJSON, Body: body})
	if err != nil {
		return nil, err
	}
	var out api.TokenRequest
	if err := json.Unmarshal(resp.Body, &out); err != nil {
		return nil, errDecode("TokenRequest", err)
	}
	return &out, nil
}
