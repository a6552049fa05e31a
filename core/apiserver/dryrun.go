package apiserver

import (
	"net/http"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// Dry run: a write with dryRun=All goes through everything a real one does
// (decoding, defaulting, validation, admission, the conflict and existence
// checks, the allocation checks) and answers with the object that would
// have been stored, but stores nothing and reserves nothing: the verbs pass
// isDryRun down to the one place that would write (create, update, the
// delete in handleDelete) and to the allocator (allocateService only looks).
//
// "All" is the one value Kubernetes defines; any other is refused before
// anything runs, so that a client asking for a kind of dry run this server
// does not know never gets a real write instead.

// dryRunAll is the one accepted value of the dryRun parameter.
const dryRunAll = "All"

// optionsKind names the options a verb's query parameters decode into, for
// Kubernetes' wording of a refused value.
var optionsKind = map[string]string{
	http.MethodPost:   "CreateOptions",
	http.MethodPut:    "UpdateOptions",
	http.MethodPatch:  "PatchOptions",
	http.MethodDelete: "DeleteOptions",
}

// checkDryRun refuses a write whose dryRun parameters hold anything but
// "All", as Kubernetes does: 422 Invalid on the verb's options, e.g.
// `CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value:
// ["all"]: supported values: "All"`. Reads ignore the parameter.
func checkDryRun(req *rest.Request) error {
	kind, write := optionsKind[req.Method]
	if !write {
		return nil
	}
	return validateDryRun(kind, req.Query["dryRun"])
}

// validateDryRun checks dryRun values, from the query or a DeleteOptions
// body.
func validateDryRun(kind string, values []string) error {
	for _, v := range values {
		if v != dryRunAll {
			res := &api.Resource{Group: "meta.k8s.io", Kind: kind}
			return errInvalid(res, "", api.FieldErrors{api.FieldNotSupported("dryRun", values, []string{dryRunAll})})
		}
	}
	return nil
}

// isDryRun reports whether a write asks for a dry run (checkDryRun has
// refused every other value already).
func isDryRun(req *rest.Request) bool { return req.Query.Get("dryRun") == dryRunAll }
