package store

import (
	"errors"
	"fmt"
)

// MaxValueBytes is the largest value a store accepts: etcd's default
// --max-request-bytes (1.5 MiB). The memory store enforces it so that the
// simulator refuses what a real cluster refuses; realnode's embedded etcd
// is configured to allow a little more than it (room for the key and the
// transaction around the value) and checks it itself, so the two agree.
const MaxValueBytes = 3 << 19

// ErrTooLarge is returned, as a *TooLargeError, for a Create or Update
// whose value is larger than the store accepts.
var ErrTooLarge = errors.New("value is too large")

// TooLargeError says which write was too large, and by how much.
type TooLargeError struct {
	Key   string
	Size  int // the value's length in bytes
	Limit int // the store's limit; 0 when the store did not say (an external etcd)
}

func (e *TooLargeError) Error() string {
	if e.Limit == 0 {
		return fmt.Sprintf("value is too large: %d bytes for key %q, more than the etcd server's --max-request-bytes", e.Size, e.Key)
	}
	return fmt.Sprintf("value is too large: %d bytes for key %q, the limit is %d", e.Size, e.Key, e.Limit)
}

// Is makes errors.Is(err, ErrTooLarge) true of a *TooLargeError.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// CheckValueSize returns a *TooLargeError when value is larger than
// MaxValueBytes, else nil. Stores call it before writing anything.
func CheckValueSize(key string, value []byte) error {
	if len(value) > MaxValueBytes {
		return &TooLargeError{Key: key, Size: len(value), Limit: MaxValueBytes}
	}
	return nil
}
