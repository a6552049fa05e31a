package api

import (
	"encoding/json"
	"testing"
	"time"
)

func TestTimeJSON(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{`"2024-05-01T10:00:00Z"`, `"2024-05-01T10:00:00Z"`, false},
		{`"2024-05-01T12:00:00.75+02:00"`, `"2024-05-01T10:00:00Z"`, false},
		{`"0000-01-01T00:00:00,1Z"`, `"0000-01-01T00:00:00Z"`, false},
		{`null`, `null`, false},
		{`"9999-12-31T23:59:59-01:00"`, "", true}, // year 10000 in UTC
		{`"0000-01-01T00:00:00+01:00"`, "", true}, // year -1 in UTC
		{`12`, "", true},
		{`"yesterday"`, "", true},
	}
	for _, tt := range tests {
		var tm Time
		err := json.Unmarshal([]byte(tt.in), &tm)
		if (err != nil) != tt.wantErr {
			t.Errorf("json.Unmarshal(%s) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if tm.Nanosecond() != 0 {
			t.Errorf("json.Unmarshal(%s) kept %dns, want whole seconds (what MarshalJSON writes)", tt.in, tm.Nanosecond())
		}
		out, err := json.Marshal(tm)
		if err != nil || string(out) != tt.want {
			t.Errorf("json.Marshal(unmarshal(%s)) = %s, %v, want %s", tt.in, out, err, tt.want)
		}
	}
	if _, err := json.Marshal(Time{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}); err == nil {
		t.Errorf("json.Marshal(year 10000) succeeded, want error")
	}
	if _, err := json.Marshal(MicroTime{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}); err == nil {
		t.Errorf("json.Marshal(MicroTime year 10000) succeeded, want error")
	}
	var mt MicroTime
	if err := json.Unmarshal([]byte(`"2024-05-01T10:00:00.1234567Z"`), &mt); err != nil {
		t.Fatal(err)
	}
	if out, _ := json.Marshal(mt); string(out) != `"2024-05-01T10:00:00.123456Z"` {
		t.Errorf("MicroTime round trip = %s, want \"2024-05-01T10:00:00.123456Z\"", out)
	}
}
