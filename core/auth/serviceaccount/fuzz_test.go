package serviceaccount

import (
	"strings"
	"testing"
)

// FuzzVerify feeds Verify arbitrary tokens. It must never panic, and a
// token it accepts must be exactly one Issue writes for those claims:
// nobody but the key holder can make a token verify, so any other
// spelling that passed would be a hole in the parser. The seeds below run
// as an ordinary test under `go test`; `go test -fuzz FuzzVerify
// ./core/auth/serviceaccount` explores from them.
func FuzzVerify(f *testing.F) {
	keys := testKeys(1)
	good, err := Issue(keys, testClaims())
	if err != nil {
		f.Fatal(err)
	}
	parts := strings.Split(good, ".")
	for _, seed := range []string{
		good,
		"",
		"..",
		parts[0] + "." + parts[1] + ".",
		parts[0] + ".e30." + parts[2],
		"eyJhbGciOiJub25lIn0." + parts[1] + ".",
		strings.ToUpper(good),
		good + good,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := Verify(keys, tok, t0, nil)
		if err != nil {
			return
		}
		again, err := Issue(keys, *c)
		if err != nil {
			t.Fatalf("Issue(verified claims) failed: %v", err)
		}
		if again != tok {
			t.Errorf("Verify accepted %q, which Issue would write as %q", tok, again)
		}
	})
}
