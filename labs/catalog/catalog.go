package catalog

import (
	"fmt"
	"strings"

	schedulerlab "github.com/tinykube/tinykube/labs/04-scheduler"
	schedmutants "github.com/tinykube/tinykube/labs/04-scheduler/mutants"
	schedreference "github.com/tinykube/tinykube/labs/04-scheduler/reference"
	schedstudent "github.com/tinykube/tinykube/labs/04-scheduler/student"
	kubeletlab "github.com/tinykube/tinykube/labs/05-kubelet"
	kubeletmutants "github.com/tinykube/tinykube/labs/05-kubelet/mutants"
	kubeletreference "github.com/tinykube/tinykube/labs/05-kubelet/reference"
	kubeletstudent "github.com/tinykube/tinykube/labs/05-kubelet/student"
	replicasetlab "github.com/tinykube/tinykube/labs/06-replicaset"
	rsmutants "github.com/tinykube/tinykube/labs/06-replicaset/mutants"
	rsreference "github.com/tinykube/tinykube/labs/06-replicaset/reference"
	rsstudent "github.com/tinykube/tinykube/labs/06-replicaset/student"
	nodefailurelab "github.com/tinykube/tinykube/labs/07-node-failure"
	nodemutants "github.com/tinykube/tinykube/labs/07-node-failure/mutants"
	nodereference "github.com/tinykube/tinykube/labs/07-node-failure/reference"
	nodestudent "github.com/tinykube/tinykube/labs/07-node-failure/student"
	rolloutlab "github.com/tinykube/tinykube/labs/09-rollout"
	rolloutmutants "github.com/tinykube/tinykube/labs/09-rollout/mutants"
	rolloutreference "github.com/tinykube/tinykube/labs/09-rollout/reference"
	rolloutstudent "github.com/tinykube/tinykube/labs/09-rollout/student"
	leaderlab "github.com/tinykube/tinykube/labs/12-leader"
	leadermutants "github.com/tinykube/tinykube/labs/12-leader/mutants"
	leaderreference "github.com/tinykube/tinykube/labs/12-leader/reference"
	leaderstudent "github.com/tinykube/tinykube/labs/12-leader/student"
	strategiclab "github.com/tinykube/tinykube/labs/14-strategic-patch"
	smpmutants "github.com/tinykube/tinykube/labs/14-strategic-patch/mutants"
	smpreference "github.com/tinykube/tinykube/labs/14-strategic-patch/reference"
	smpstudent "github.com/tinykube/tinykube/labs/14-strategic-patch/student"
	volumelab "github.com/tinykube/tinykube/labs/15-volume-binding"
	volmutants "github.com/tinykube/tinykube/labs/15-volume-binding/mutants"
	volreference "github.com/tinykube/tinykube/labs/15-volume-binding/reference"
	volstudent "github.com/tinykube/tinykube/labs/15-volume-binding/student"
	rbaclab "github.com/tinykube/tinykube/labs/16-rbac"
	rbacmutants "github.com/tinykube/tinykube/labs/16-rbac/mutants"
	rbacreference "github.com/tinykube/tinykube/labs/16-rbac/reference"
	rbacstudent "github.com/tinykube/tinykube/labs/16-rbac/student"
	operatorlab "github.com/tinykube/tinykube/labs/17-operator"
	opmutants "github.com/tinykube/tinykube/labs/17-operator/mutants"
	opreference "github.com/tinykube/tinykube/labs/17-operator/reference"
	opstudent "github.com/tinykube/tinykube/labs/17-operator/student"
	hpalab "github.com/tinykube/tinykube/labs/19-hpa"
	hpamutants "github.com/tinykube/tinykube/labs/19-hpa/mutants"
	hpareference "github.com/tinykube/tinykube/labs/19-hpa/reference"
	hpastudent "github.com/tinykube/tinykube/labs/19-hpa/student"
	"github.com/tinykube/tinykube/labs/lab"
)

// Entry is one lab with each kind of code plugged in.
type Entry struct {
	Student   lab.Lab
	Reference lab.Lab
	Mutants   []Mutant
}

// Mutant is a deliberately broken answer, plugged into its lab.
type Mutant struct {
	Name string
	Lab  lab.Lab
}

// All returns every lab, in chapter order.
func All() []Entry {
	return []Entry{scheduler(), kubelet(), replicaSet(), nodeFailure(), rollout(), leader(), strategicPatch(), volumeBinding(), rbacDecision(), operator(), autoscaler()}
}

func scheduler() Entry {
	e := Entry{
		Student:   schedulerlab.Lab(schedulerlab.Impl{Fits: schedstudent.Fits, Score: schedstudent.ScoreMostAllocated}),
		Reference: schedulerlab.Lab(schedulerlab.Impl{Fits: schedreference.Fits, Score: schedreference.ScoreMostAllocated}),
	}
	for _, m := range schedmutants.All {
		e.Mutants = append(e.Mutants, Mutant{m.Name, schedulerlab.Lab(schedulerlab.Impl{Fits: m.Fits, Score: m.Score})})
	}
	return e
}

func kubelet() Entry {
	e := Entry{
		Student:   kubeletlab.Lab(kubeletlab.Impl{DecideRestart: kubeletstudent.DecideRestart}),
		Reference: kubeletlab.Lab(kubeletlab.Impl{DecideRestart: kubeletreference.DecideRestart}),
	}
	for _, m := range kubeletmutants.All {
		e.Mutants = append(e.Mutants, Mutant{m.Name, kubeletlab.Lab(kubeletlab.Impl{DecideRestart: m.DecideRestart})})
	}
	return e
}

func replicaSet() Entry {
	e := Entry{Student: replicasetlab.Lab(rsstudent.Diff), Reference: replicasetlab.Lab(rsreference.Diff)}
	for _, m := range rsmutants.All {
		e.Mutants = append(e.Mutants, Mutant{m.Name, replicasetlab.Lab(m.Diff)})
	}
	return e
}

func nodeFailure() Entry {
	e := Entry{
		Student:   nodefailurelab.Lab(nodefailurelab.Impl{Assess: nodestudent.Assess}),
		Reference: nodefailurelab.Lab(nodefailurelab.Impl{Assess: nodereference.Assess}),
	}
	for _, m := range nodemutants.All {
		e.Mutants = append(e.Mutants, Mutant{m.Name, nodefailurelab.Lab(nodefailurelab.Impl{Assess: m.Assess})})
	}
	return e
}

func rollout() Entry {
	e := Entry{
		Student:   rolloutlab.Lab(rolloutlab.Impl{Step: rolloutstudent.Step, Bounds: rolloutstudent.Bounds}),
		Reference: rolloutlab.Lab(rolloutlab.Impl{Step: rolloutreference.Step, Bounds: rolloutreference.Bounds}),
	}
	for _, m := range rolloutmutants.All {
		e.Mutants = append(e.Mutants, Mutant{m.Name, rolloutlab.Lab(m.Impl)})
	}
	return e
}

func leader() Entry {
	e := Entry{
		Student:   leaderlab.Lab(leaderlab.Impl{Decide: leaderstudent.Decide}),
		Reference: leaderlab.Lab(leaderlab.Impl{Decide: leaderreference.Decide}),
	}
	for _, m := range leadermutants.All {
		e.Mutants = append(e.Mutants, Mutant{m.Name, leaderlab.Lab(m.Impl)})
	}
	return e
}

func strategicPatch() Entry {
	e := Entry{Student: strategiclab.Lab(smpstudent.MergeList), Reference: strategiclab.Lab(smpreference.MergeList)}
	for _, m := range smpmutants.All {
		e.Mutants = append(e.Mutants, Mutant{m.Name, strategiclab.Lab(m.MergeList)})
	}
	return e
}

func volumeBinding() Entry {
	e := Entry{Student: volumelab.Lab(volstudent.Match), Reference: volumelab.Lab(volreference.Match)}
	for _, m := range volmutants.All {
		e.Mutants = append(e.Mutants, Mutant{m.Name, volumelab.Lab(m.Match)})
	}
	return e
}

func rbacDecision() Entry {
	e := Entry{Student: rbaclab.Lab(rbacstudent.Decide), Reference: rbaclab.Lab(rbacreference.Decide)}
	for _, m := range rbacmutants.All {
		e.Mutants = append(e.Mutants, Mutant{m.Name, rbaclab.Lab(m.Decide)})
	}
	return e
}

func operator() Entry {
	e := Entry{
		Student: operatorlab.Lab(operatorlab.Impl{Promote: opstudent.Promote, Cleanup: opstudent.Cleanup,
			Status: opstudent.Status, CatalogEntry: opstudent.CatalogEntry}),
		Reference: operatorlab.Lab(operatorlab.Impl{Promote: opreference.Promote, Cleanup: opreference.Cleanup,
			Status: opreference.Status, CatalogEntry: opreference.CatalogEntry}),
	}
	for _, m := range opmutants.All {
		e.Mutants = append(e.Mutants, Mutant{m.Name, operatorlab.Lab(m.Impl)})
	}
	return e
}

func autoscaler() Entry {
	e := Entry{
		Student:   hpalab.Lab(hpalab.Impl{Recommend: hpastudent.Recommend}),
		Reference: hpalab.Lab(hpalab.Impl{Recommend: hpareference.Recommend}),
	}
	for _, m := range hpamutants.All {
		e.Mutants = append(e.Mutants, Mutant{m.Name, hpalab.Lab(m.Impl)})
	}
	return e
}

// Get returns lab nn ("04"), or an error listing the labs.
func Get(nn string) (Entry, error) {
	all := All()
	for _, e := range all {
		if e.Student.Number == nn {
			return e, nil
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "no lab %q. The labs are:\n", nn)
	for _, e := range all {
		fmt.Fprintf(&b, "  make lab NN=%s   %s (%s)\n", e.Student.Number, e.Student.Name, e.Student.Book)
	}
	return Entry{}, fmt.Errorf("%s", strings.TrimRight(b.String(), "\n"))
}

// Impl returns the lab with the code impl names plugged in: "" or
// "student" (the student's), "reference", or "mutant:NAME".
func (e Entry) Impl(impl string) (lab.Lab, error) {
	switch {
	case impl == "" || impl == "student":
		return e.Student, nil
	case impl == "reference":
		return e.Reference, nil
	case strings.HasPrefix(impl, "mutant:"):
		name := strings.TrimPrefix(impl, "mutant:")
		var names []string
		for _, m := range e.Mutants {
			if m.Name == name {
				return m.Lab, nil
			}
			names = append(names, m.Name)
		}
		return lab.Lab{}, fmt.Errorf("IMPL=%s: lab %s has no mutant %q; its mutants are %s", impl, e.Student.Number, name, strings.Join(names, ", "))
	}
	return lab.Lab{}, fmt.Errorf("IMPL=%s: want student, reference or mutant:NAME", impl)
}
