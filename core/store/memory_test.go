package store_test

import (
	"testing"

	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/core/store/storetest"
)

// The in-memory store delivers watch events before a write returns, so the
// suite runs with storetest.NoWait: an event that is not there at once is
// a bug, not a delay.
func TestMemoryConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return store.NewMemory() }, storetest.Options{})
}
