package volumelab

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/labs/lab"
)

const book = `book/15-configuration-and-storage.md, "Code: the binder"`

// Lab returns lab 15 checking match.
func Lab(match MatchFunc) lab.Lab {
	c := checker{match}
	return lab.Lab{Number: "15", Name: "the binder's matching step", Book: `book/15-configuration-and-storage.md, "Lab"`, Tests: []lab.Test{
		{Name: "FitsTheClaim", Points: 20, Book: book + " (Match, Fits)",
			Property: "Match returns only a volume that fits the claim: its class, every access mode it asks for, its volume mode, at least its size, labels its selector accepts",
			Check:    c.exact(func(*lab.Env) shape { return shape{misses: true} })},
		{Name: "SmallestFit", Points: 20, Book: book + " (Match)",
			Property: "of the free volumes that fit, Match returns the smallest (by quantity, not by text), the first by name among equals, and nil only when none fits",
			Check:    c.exact(func(env *lab.Env) shape { return shape{many: true, misses: env.Rand.IntN(2) == 0} })},
		{Name: "FreeVolumesOnly", Points: 15, Book: book + " (Match)",
			Property: "Match never returns a volume whose claimRef names another claim (or an earlier claim of the same name), nor one Released, Failed or being deleted",
			Check:    c.exact(func(env *lab.Env) shape { return shape{taken: true, misses: env.Rand.IntN(3) == 0} })},
		{Name: "PreBindingWins", Points: 10, Book: book + " (Match)",
			Property: "a volume whose claimRef names the claim (its uid, or no uid) and that fits it wins over every free volume, however large it is",
			Check: c.exact(func(env *lab.Env) shape {
				return shape{reserved: true, taken: env.Rand.IntN(2) == 0, misses: env.Rand.IntN(2) == 0, node: env.Rand.IntN(3) == 0}
			})},
		{Name: "UsableFromTheNode", Points: 10, Book: book + " (Match, api.VolumeUsableFrom)",
			Property: "with a selected node, Match returns only a volume whose node affinity admits that node (by its labels, and its name as kubernetes.io/hostname)",
			Check:    c.exact(func(env *lab.Env) shape { return shape{node: true, misses: true, many: env.Rand.IntN(2) == 0} })},
		{Name: "BindsInACluster", Points: 25, Book: book + " (bind)",
			Property: "with your Match inside the binder of a simulated cluster whose controller manager crashes, restarts and loses answers, no claim is bound to a volume that does not fit it, no volume goes to two claims, each binding takes the smallest free fit, a pre-bound volume goes to its claim, and no claim is left Pending beside a free volume that fits it",
			Check:    c.sim},
	}}
}

type checker struct{ match MatchFunc }

var errNotWritten = fmt.Errorf("Match is not implemented yet (it returned NotWritten): write it in labs/15-volume-binding/student/match.go, below \"LAB 15: your code here\"")

// call runs the student's Match on copies, so that a Match that changes
// its arguments is caught rather than hidden from the checks that follow.
func (c checker) call(claim *api.PersistentVolumeClaim, vols []*api.PersistentVolume, node *api.Node) (*api.PersistentVolume, error) {
	argClaim, argNode := api.DeepCopy(claim), node
	if node != nil {
		argNode = api.DeepCopy(node)
	}
	argVols := make([]*api.PersistentVolume, len(vols))
	for i, pv := range vols {
		argVols[i] = api.DeepCopy(pv)
	}
	got := c.match(argClaim, argVols, argNode)
	if got == NotWritten {
		return nil, errNotWritten
	}
	if d := cmp.Diff(encode(claim), encode(argClaim)); d != "" {
		return nil, fmt.Errorf("%s changed the claim (-before +after):\n%s\nMatch reads only its arguments: the informers' caches hold them", describeCall(claim, vols, node), d)
	}
	for i := range vols {
		if d := cmp.Diff(encode(vols[i]), encode(argVols[i])); d != "" {
			return nil, fmt.Errorf("%s changed volume %s (-before +after):\n%s\nMatch reads only its arguments: the informers' caches hold them", describeCall(claim, vols, node), vols[i].Name, d)
		}
	}
	if got == nil {
		return nil, nil
	}
	i := slices.Index(argVols, got)
	if i < 0 {
		return nil, fmt.Errorf("%s = a volume called %q that is not one of the list: return one of the volumes you are given", describeCall(claim, vols, node), got.Name)
	}
	return vols[i], nil
}

// encode is obj's JSON, one field a line, for a diff.
func encode(obj any) string {
	b, err := json.MarshalIndent(obj, "", " ")
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// exact draws calls of the shape the test asks for and holds Match's
// answer to the expected one, saying which rule a wrong answer broke.
func (c checker) exact(draw func(*lab.Env) shape) func(*lab.Env) error {
	return func(env *lab.Env) error {
		for range 20 {
			claim, vols, node := generate(env.Rand, draw(env))
			got, err := c.call(claim, vols, node)
			if err != nil {
				return err
			}
			if err := judge(claim, vols, node, got); err != nil {
				return err
			}
		}
		return nil
	}
}

// judge explains why got is not Match's answer, or returns nil.
func judge(claim *api.PersistentVolumeClaim, vols []*api.PersistentVolume, node *api.Node, got *api.PersistentVolume) error {
	want := expected(claim, vols, node)
	if got == want {
		return nil
	}
	call := describeCall(claim, vols, node)
	if got != nil {
		if why := misfit(claim, got, node); why != "" {
			return fmt.Errorf("%s = %s; want %s: %s does not fit the claim, %s", call, got.Name, name(want), got.Name, why)
		}
		if why := unavailable(claim, got); why != "" {
			return fmt.Errorf("%s = %s; want %s: %s is not free, %s", call, got.Name, name(want), got.Name, why)
		}
	}
	switch {
	case want == nil:
		return fmt.Errorf("%s = %s; want nil", call, got.Name) // unreachable: got fits and is free
	case reservedFor(claim, want):
		return fmt.Errorf("%s = %s; want %s: its claimRef reserves it for this claim and it fits, and a reservation wins over every free volume", call, name(got), want.Name)
	case got == nil:
		return fmt.Errorf("%s = nil; want %s: it is free and fits the claim", call, want.Name)
	case reservedFor(claim, got):
		return fmt.Errorf("%s = %s; want %s: there is only one reservation for this claim", call, got.Name, want.Name)
	case capacity(want).Cmp(capacity(got)) < 0:
		return fmt.Errorf("%s = %s; want %s: it fits too and is smaller (%s < %s): the smallest fit keeps large volumes free for large claims",
			call, got.Name, want.Name, capacity(want).String(), capacity(got).String())
	default:
		return fmt.Errorf("%s = %s; want %s: both fit and are the same size (%s = %s), and the first by name wins the tie",
			call, got.Name, want.Name, capacity(want).String(), capacity(got).String())
	}
}
