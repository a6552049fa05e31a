// Lab 15: your code goes in this file (labs/15-volume-binding/README.md);
// the contract comment below is the specification.

package student

import (
	"github.com/tinykube/tinykube/core/api"
	volumelab "github.com/tinykube/tinykube/labs/15-volume-binding"
)

// Match returns the volume the binder should bind claim c to, or nil when
// none will do. It reads only its arguments and changes none of them
// (they are the binder's informer caches). node is the node the scheduler
// chose for c's first pod (a WaitForFirstConsumer claim), or nil.
//
// Contract. A volume FITS c when all of these hold:
//   - its spec.storageClassName is c's class (api.ClaimClass(c); "" is a
//     class too: no class);
//   - it offers every access mode c asks for (it may offer more);
//   - its volume mode is c's (a nil volumeMode means "Filesystem");
//   - its capacity (spec.capacity["storage"]) is at least c's request
//     (spec.resources.requests["storage"]): compare quantities with Cmp;
//   - c has no selector, or the selector accepts the volume's labels
//     (api.SelectorFromLabelSelector, then Matches);
//   - node is nil, or the volume has no spec.nodeAffinity.required, or its
//     terms admit the node's labels, the node's name counting as label
//     kubernetes.io/hostname (api.MatchesNodeSelectorTerms).
//
// A volume is RESERVED for c when its spec.claimRef names c's namespace
// and name, with c's uid or no uid (a user's pre-binding, written before
// the claim existed). A claimRef with another uid names an earlier claim
// of that name: the volume is not c's.
//
// A volume is FREE when it has no claimRef, no deletionTimestamp, and its
// status.phase is neither Released nor Failed.
//
// Answer: a volume reserved for c that fits it, if there is one (it wins
// over all others, however large); otherwise, of the free volumes that
// fit, the smallest, so that large volumes stay free for large claims,
// and among equal sizes the first by name; otherwise nil. A reservation
// that does not fit is no answer, and it is not free either.
func Match(c *api.PersistentVolumeClaim, volumes []*api.PersistentVolume, node *api.Node) *api.PersistentVolume {
	// LAB 15: your code here
	return volumelab.NotWritten // tells the checker this is not written yet
}
