package database

import (
	"fmt"
	"strconv"
	"strings"
)

// The names of the objects a Database owns, all derived from its name so
// that a restarted operator finds what it made before.

// headlessName is the headless Service that gives each pod a DNS name.
func headlessName(db string) string { return db + "-hl" }

// configName is the ConfigMap of the database's settings.
func configName(db string) string { return db + "-config" }

// The client Service and the StatefulSet share the database's name.

// ordinal returns the ordinal of a pod of the database's StatefulSet
// ("orders-2" → 2), or -1 when name is not one of its pods.
func ordinal(db, pod string) int {
	s, ok := strings.CutPrefix(pod, db+"-")
	if !ok {
		return -1
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || strconv.Itoa(n) != s {
		return -1
	}
	return n
}

// Address returns the address the catalog records for the primary pod of
// database db in namespace ns: its stable DNS name through the headless
// Service.
func Address(ns, db, pod string) string {
	return fmt.Sprintf("%s.%s.%s.svc:%d", pod, headlessName(db), ns, Port)
}
