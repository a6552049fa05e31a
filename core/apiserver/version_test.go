package apiserver

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestServerVersion(t *testing.T) {
	for _, tt := range []struct {
		version, want string
	}{
		{"v0.1.0", "v1.37.0+tinykube.v0.1.0"},
		{"test", "v1.37.0+tinykube.test"},
		{"", "v1.37.0+tinykube"},
		{"(devel)", "v1.37.0+tinykube.-devel-"},
		{"v0.2.0-rc.1+dirty", "v1.37.0+tinykube.v0.2.0-rc.1-dirty"},
		{".a..b.", "v1.37.0+tinykube.a.b"},
	} {
		want := versionInfo{Major: "1", Minor: "37", GitVersion: tt.want, Platform: "tinykube"}
		if diff := cmp.Diff(want, serverVersion(tt.version)); diff != "" {
			t.Errorf("serverVersion(%q) (-want +got):\n%s", tt.version, diff)
		}
	}
}
