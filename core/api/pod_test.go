package api

import (
	"testing"
	"time"
)

func TestPodLifecyclePredicates(t *testing.T) {
	deleting := NewTime(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	for _, tt := range []struct {
		phase              PodPhase
		deleting           bool
		terminal, isActive bool
	}{
		{"", false, false, true},
		{PodPending, false, false, true},
		{PodRunning, false, false, true},
		{PodUnknown, false, false, true},
		{PodSucceeded, false, true, false},
		{PodFailed, false, true, false},
		{"", true, false, false},
		{PodRunning, true, false, false}, // terminating: not yet terminal, no longer active
		{PodUnknown, true, false, false},
		{PodSucceeded, true, true, false},
		{PodFailed, true, true, false},
	} {
		p := &Pod{Status: PodStatus{Phase: tt.phase}}
		if tt.deleting {
			p.DeletionTimestamp = deleting
		}
		if got := IsPodPhaseTerminal(tt.phase); got != tt.terminal {
			t.Errorf("IsPodPhaseTerminal(%q) = %v, want %v", tt.phase, got, tt.terminal)
		}
		if got := IsPodTerminal(p); got != tt.terminal {
			t.Errorf("IsPodTerminal(phase %q, deleting %v) = %v, want %v", tt.phase, tt.deleting, got, tt.terminal)
		}
		if got := IsPodActive(p); got != tt.isActive {
			t.Errorf("IsPodActive(phase %q, deleting %v) = %v, want %v", tt.phase, tt.deleting, got, tt.isActive)
		}
	}
}
