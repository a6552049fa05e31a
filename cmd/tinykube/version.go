package main

import (
	"encoding/json"
	"net/http"

	"github.com/tinykube/tinykube/core/rest"
)

func versionRequest() *rest.Request {
	return &rest.Request{Method: http.MethodGet, Path: "/version"}
}

// serverVersion extracts gitVersion from a /version answer.
func serverVersion(body []byte) string {
	var v struct {
		GitVersion string `json:"gitVersion"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.GitVersion == "" {
		return "unknown"
	}
	return v.GitVersion
}
