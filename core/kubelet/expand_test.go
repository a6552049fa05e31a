package kubelet

import "testing"

func TestExpand(t *testing.T) {
	vars := map[string]string{"POD": "web-0", "EMPTY": "", "A": "$(POD)"}
	lookup := func(n string) (string, bool) { v, ok := vars[n]; return v, ok }
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"$(POD)", "web-0"},
		{"/data/$(POD)/log", "/data/web-0/log"},
		{"$(POD)$(POD)", "web-0web-0"},
		{"x$(EMPTY)y", "xy"},
		{"$(MISSING)", "$(MISSING)"},
		{"$$(POD)", "$(POD)"},
		{"$$", "$"},
		{"$POD", "$POD"},
		{"cost $5", "cost $5"},
		{"end$", "end$"},
		{"$(POD", "$(POD"},
		{"$()", "$()"},
		{"$(A)", "$(POD)"}, // a value is not expanded again
	}
	for _, tt := range tests {
		if got := expand(tt.in, lookup); got != tt.want {
			t.Errorf("expand(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
