package sim

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// Shared objects. The simulator's API servers hand watch events to their
// clients with the object already decoded (apiserver.Config.ShareDecoded):
// a pod written once and watched by the scheduler, three controllers and a
// kubelet is decoded once, and all five hold the same Go object. That is
// only the same program as one where each decodes its own copy if nobody
// writes to a received object — the rule client-go's informers state and
// Kubernetes' watch cache relies on. Go cannot enforce it, so the
// simulator checks it: with CheckShared on, the network remembers every
// shared object it delivers with its encoding at delivery, and
// VerifyShared encodes each again and names any that changed — the
// component that broke the rule mutated a received object instead of
// changing a copy (api.DeepCopy) of it.

// sharedCheck is the record VerifyShared checks.
type sharedCheck struct {
	seen    map[api.Object]bool
	objects []sharedObject // in order of first delivery
	// sinceVerify counts deliveries since the last periodic verify.
	sinceVerify int
}

// sharedObject is one delivered object with its encoding at delivery.
type sharedObject struct {
	obj     api.Object
	encoded []byte
	to      string // the first process it was delivered to
	at      string // the virtual time of that delivery
}

// sharedVerifyEvery is how many deliveries pass between two checks made
// while the run goes on (so that a mutation is reported close to where it
// happened); Run's end checks once more.
const sharedVerifyEvery = 2000

// recordShared notes the shared object of ev, delivered to process to,
// when CheckShared is on. It fails the world as soon as a periodic check
// finds a changed object.
func (n *Network) recordShared(to string, ev rest.WatchEvent) {
	if !n.CheckShared || ev.Decoded == nil {
		return
	}
	c := &n.sharedCheck
	if c.seen == nil {
		c.seen = map[api.Object]bool{}
	}
	if !c.seen[ev.Decoded] {
		b, err := json.Marshal(ev.Decoded)
		if err != nil {
			n.w.Fail(fmt.Errorf("shared-objects: a %T delivered to %s does not encode: %v", ev.Decoded, to, err))
			return
		}
		c.seen[ev.Decoded] = true
		c.objects = append(c.objects, sharedObject{obj: ev.Decoded, encoded: b, to: to, at: n.w.Elapsed().String()})
	}
	c.sinceVerify++
	if c.sinceVerify >= sharedVerifyEvery {
		c.sinceVerify = 0
		if err := n.VerifyShared(); err != nil {
			n.w.Fail(err)
		}
	}
}

// VerifyShared encodes every shared object delivered so far (CheckShared)
// and reports the first whose encoding changed since its delivery: a
// process modified an object it shares with every other receiver of the
// event. nil when none changed, or when CheckShared is off.
func (n *Network) VerifyShared() error {
	for _, o := range n.sharedCheck.objects {
		now, err := json.Marshal(o.obj)
		if err != nil {
			return fmt.Errorf("shared-objects: the %T %s delivered to %s at %s no longer encodes: %v", o.obj, objectName(o.obj), o.to, o.at, err)
		}
		if !bytes.Equal(now, o.encoded) {
			return fmt.Errorf("shared-objects: the %T %s (resourceVersion %s) delivered to %s at %s was modified after delivery, and every receiver of its watch event shares it: the component must change a copy (api.DeepCopy), not the object it received\n  at delivery: %s\n  now:         %s",
				o.obj, objectName(o.obj), o.obj.GetObjectMeta().ResourceVersion, o.to, o.at, o.encoded, now)
		}
	}
	return nil
}

// objectName is "namespace/name", or "name" for a cluster-scoped object.
func objectName(obj api.Object) string {
	m := obj.GetObjectMeta()
	if m.Namespace == "" {
		return m.Name
	}
	return m.Namespace + "/" + m.Name
}
