package api

import (
	"encoding/json"
	"testing"
)

// The fuzz tests guard what the API server feeds untrusted input through:
// nothing may panic or hang, and what is accepted must print back to
// something that parses to the same value. Run one with, for example,
//
//	go test ./core/api -run '^$' -fuzz FuzzDecodePod -fuzztime 20s

func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{"500m", "0.5", "1.5Gi", "1e3", "128974848", "129e6", "123Mi", "1Ki", "-1", "", "1.2.3", "5Q", "8Ei", "1e-999999999", ".5", "+1E", " 1", "1 ", "1e300", "NaN", "Inf", "1e+3", "1iK"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuantity(s)
		if err != nil {
			// Every refusal is one of the three, so the API server can
			// tell a bad quantity from a bad document and name its field.
			if !IsQuantityError(err) {
				t.Fatalf("ParseQuantity(%q) = %v, not one of the quantity errors", s, err)
			}
			return
		}
		// Nothing Kubernetes' pattern refuses is accepted here.
		if !quantityRE.MatchString(s) {
			t.Fatalf("ParseQuantity(%q) accepted what does not match %s", s, quantityPattern)
		}
		text := q.String()
		back, err := ParseQuantity(text)
		if err != nil {
			t.Fatalf("ParseQuantity(%q) = %s, which does not parse: %v", s, text, err)
		}
		if back.Cmp(q) != 0 {
			t.Fatalf("ParseQuantity(%q) = %d milli prints as %q, which parses to %d milli", s, q.MilliValue(), text, back.MilliValue())
		}
		var j Quantity
		b, _ := json.Marshal(q)
		if err := json.Unmarshal(b, &j); err != nil || j.Cmp(q) != 0 {
			t.Fatalf("Quantity %q does not survive JSON: %s, %v", text, b, err)
		}
	})
}

func FuzzParseSelector(f *testing.F) {
	for _, s := range []string{"", "a=b", "a=b,c!=d,e in (x,y),f notin (z),g,!h", "x>1,y<-2", "a in ()", "example.com/a==b", "!", "a in (", "in in (in)", " , "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sel, err := ParseSelector(s)
		if err != nil {
			return
		}
		text := sel.String()
		back, err := ParseSelector(text)
		if err != nil {
			t.Fatalf("ParseSelector(%q).String() = %q, which does not parse: %v", s, text, err)
		}
		if back.String() != text {
			t.Fatalf("ParseSelector(%q) prints %q, which reparses and prints %q", s, text, back.String())
		}
		sel.Matches(map[string]string{"a": "b", "x": "2"})
	})
}

func FuzzParseFieldSelector(f *testing.F) {
	for _, s := range []string{"", "spec.nodeName=n1", `a=b\,c`, "a!=b,c==d", "=", `a=\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fs, err := ParseFieldSelector(s)
		if err != nil {
			return
		}
		back, err := ParseFieldSelector(fs.String())
		if err != nil {
			t.Fatalf("ParseFieldSelector(%q).String() = %q, which does not parse: %v", s, fs.String(), err)
		}
		if back.String() != fs.String() {
			t.Fatalf("ParseFieldSelector(%q) prints %q, which reparses and prints %q", s, fs.String(), back.String())
		}
	})
}

// FuzzDecodePod decodes random bytes as a Pod and runs everything the API
// server runs on a create and an update. None of it may panic.
func FuzzDecodePod(f *testing.F) {
	seeds := []string{
		`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default","labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx","ports":[{"containerPort":80}],"resources":{"limits":{"cpu":"500m","memory":"128Mi"}}}]}}`,
		`{"metadata":{"generateName":"x-","ownerReferences":[{"controller":true},{"controller":true}]},"spec":{"containers":[],"volumes":[{"name":"v"}],"tolerations":[{"tolerationSeconds":5}]}}`,
		`{"spec":{"containers":[{"livenessProbe":{"httpGet":{"port":"http"}},"env":[{"name":"A","valueFrom":{}}]}],"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{}]}}}}}`,
		`{"metadata":{"creationTimestamp":"9999-12-31T23:59:59-01:00"},"status":{"startTime":"2024-01-01T00:00:00.5Z"}}`,
		`{"spec":{"containers":[{"resources":{"requests":{"cpu":0.5,"memory":"1e999999999"}}}]}}`,
		`[]`, `null`, `{"spec":{"containers":[{"name":1}]}}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		_, _ = UnknownFields(raw, &Pod{})
		_, _ = NotImplementedWarnings(raw, &Pod{})
		var pod Pod
		if err := json.Unmarshal(raw, &pod); err != nil {
			return
		}
		_ = Validate(&pod).Error()
		old := DeepCopy(&pod)
		Default(&pod)
		_ = Validate(&pod)
		_ = ValidateUpdate(&pod, old).Error()
		_ = ObjectFields(&pod)
		again := DeepCopy(&pod)
		Default(again)
		if errs := ValidateUpdate(again, &pod); len(errs) != len(Validate(again)) {
			t.Fatalf("a pod is not a valid update of itself: %v", errs)
		}
	})
}

// FuzzDecodeObject is FuzzDecodePod for every registered kind: the first
// byte picks the kind.
func FuzzDecodeObject(f *testing.F) {
	f.Add(byte(0), []byte(`{"metadata":{"name":"x"}}`))
	f.Add(byte(5), []byte(`{"spec":{"selector":{"matchExpressions":[{"key":"a","operator":"In"}]},"strategy":{"rollingUpdate":{"maxSurge":"x%"}}}}`))
	f.Add(byte(7), []byte(`{"spec":{"ports":[{"port":80,"targetPort":"http"}],"clusterIP":"::1"}}`))
	f.Add(byte(2), []byte(`{"data":{"a":"b"},"binaryData":{"a":"YQ=="},"immutable":true}`))
	f.Fuzz(func(t *testing.T, kind byte, raw []byte) {
		rs := Resources()
		r := rs[int(kind)%len(rs)]
		_, _ = UnknownFields(raw, r.New())
		_, _ = NotImplementedWarnings(raw, r.New())
		obj := r.New()
		if err := json.Unmarshal(raw, obj); err != nil {
			return
		}
		_ = Validate(obj).Error()
		old := DeepCopy(obj)
		Default(obj)
		_ = ValidateUpdate(obj, old).Error()
		_ = ObjectFields(obj)
		again := DeepCopy(obj)
		Default(again)
		if errs := ValidateUpdate(again, obj); len(errs) != len(Validate(again)) {
			t.Fatalf("a %s is not a valid update of itself: %v", r.Kind, errs)
		}
	})
}
