// Package history records the API calls of clients and checks that what
// they saw is linearizable: that every object behaves as if each call took
// effect at one instant between its call and its return, in an order in
// which every answer is the one the API promises.
//
//	clients ── Recorder.Wrap (a client.Transport) ── network ── API server
//	              │ every call: process, call and return, request, answer
//	              ▼                       (or "no answer": lost on the way)
//	           []Op ── classify: one object, one kind of operation
//	              │
//	              ▼
//	   porcupine, one object at a time, against the model in model.go
//
// Plug the recorder into the simulator with sim.World.WrapTransport
// (w.WrapTransport = rec.Wrap) before the processes start, and call
// Check(rec.History(), Options{}) after the run; cluster.NewRecorded does
// this for a whole scenario. On a violation, Result.Explanation names the
// first object whose history cannot be explained, the operation that
// cannot be placed, and the operations before it, with their instants and
// processes; Options.Visualize writes porcupine's HTML view.
//
// # What the API promises, per object
//
//   - create: 201 if the object is absent (and it is then present), 409
//     AlreadyExists if it is present;
//   - get with resourceVersion "": the latest write, whatever server
//     answers (404 once deleted);
//   - update, patch, status (PUT or PATCH) and delete: 404 when absent; 409
//     Conflict when a resourceVersion precondition is stale; 200 otherwise.
//     A delete of an object with finalizers, or of a pod bound to a node,
//     only marks it (deletionTimestamp): an update that keeps it. An update
//     that takes the last finalizer away from a marked object removes it;
//   - binding (pods/NAME/binding): 201 writes the pod, unless it is marked
//     for deletion; 409 when it already has a node or is marked;
//   - eviction (pods/NAME/eviction): a delete that a disruption budget may
//     refuse; 201 marks or removes the pod (evicting a pod already marked
//     writes nothing), 429 leaves it as it is, 404 when it is absent. The
//     namespace's finalize subresource is an update that may remove a
//     namespace marked for deletion;
//   - a disruption budget's status is also written by the API server
//     itself, in process, when it admits an eviction: its resourceVersion
//     may move between the calls recorded, unseen;
//   - resourceVersions are the store's global revision: on one object, each
//     write gets a resourceVersion above every earlier one (deletes
//     included), an unchanged write or a delete of an object already marked
//     answers the current one, and a read answers exactly the latest one.
//
// A call without an answer (the request or the answer was lost; or a 5xx:
// the server failed somewhere, maybe after writing) may or may not have
// taken effect, at any time after its call: its return is placed at the end
// of the history, and the model lets it do nothing or anything the
// operation can do, at a resourceVersion never seen. Reads answered from a
// cache are not promised linearizable and are not judged: reads with a
// resourceVersion ("0" or any other), lists. Dry runs, discovery and
// subresources other than status, binding, eviction and finalize are not
// judged either, nor a
// create by generateName whose answer was lost (its name is unknown).
//
// # Why resourceVersions, not contents
//
// The model tracks an object's presence, whether it is marked for deletion,
// and its resourceVersion; not its content. That suffices for the order of
// writes: the resourceVersion is the store revision of the write that made
// the version, and revisions are global and never reused, so two versions
// of an object never share one. A read names the version it saw exactly; a
// lost write, a stale read, two creates both acknowledged, a precondition
// judged against a stale version all show up as resourceVersions in an
// impossible order. The deletion mark is tracked too because it decides
// what a write can do (only a marked object can be removed by an update; a
// marked pod cannot be bound), and every answer shows it. The state stays
// small (two flags, two numbers), so porcupine compares and hashes it
// cheaply: the 7,500 calls of a 30-node bench run are checked in a few
// hundred milliseconds, the 850 of a chaos run in under a hundred.
//
// What resourceVersions cannot show is a version whose content is wrong: a
// cache that serves an object changed in place, an answer stamped with the
// wrong resourceVersion. Since a resourceVersion names one version, a
// second check covers that outside the model (versions.go): every answer
// that shows an object at one resourceVersion (a write's answer, a get, an
// item of a list) must show the same object, compared as canonical JSON.
// Lists, not promised linearizable, are judged this way only.
//
// Conflicts. An update answered Conflict without a precondition is a
// violation: the server retries its read-modify-write up to 16 times, so
// only heavy real concurrency could make one. A delete or a binding
// answered Conflict is always allowed while the object exists: a delete
// that marks an object checks that it was not replaced since it read it (a
// uid the model does not track), and a binding fails on a pod that already
// has a node (which the model does not track either).
//
// A history recorded after objects were written (the API server's
// bootstrap, a scenario's objects created before recording began) is
// checked with Options.Incomplete: an object may then start present, at a
// version never seen.
//
// Operations are ordered by the recorder's sequence numbers, not by their
// instants: in the simulator a call and its answer happen at the same
// virtual instant, and instants alone would make every pair of calls at one
// instant concurrent.
//
// The checker runs after a run, outside the simulated world: porcupine
// uses goroutines and the wall clock (for its timeout). Its verdict does
// not depend on them unless a timeout is set.
//
// Book: book/13-high-availability.md, "Code: checking the history".
package history
