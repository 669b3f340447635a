package guard

import (
	"runtime"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("runtime.handleEvent"))
}

func TestCall(t *testing.T) {
	for _, tc := range []struct {
		name               string
		f                  func()
		returned, panicked bool
		value              any
	}{
		{"returns", func() {}, true, false, nil},
		{"panics", func() { panic("boom") }, false, true, "boom"},
		{"Goexit", runtime.Goexit, false, false, nil},
	} {
		returned, panicked, value := Call(tc.f)
		if returned != tc.returned || panicked != tc.panicked || value != tc.value {
			t.Errorf("%s: Call = %v, %v, %v; want %v, %v, %v", tc.name, returned, panicked, value, tc.returned, tc.panicked, tc.value)
		}
	}
}

type funcLogger func(string)

func (f funcLogger) Info(msg string) { f(msg) }

func TestIsNil(t *testing.T) {
	var p *int
	var f funcLogger
	for _, v := range []any{nil, p, f} {
		if !IsNil(v) {
			t.Errorf("IsNil(%#v) = false", v)
		}
	}
	n := 0
	var m map[string]int // a nil map reads fine
	for _, v := range []any{&n, funcLogger(func(string) {}), 0, "", m, struct{}{}} {
		if IsNil(v) {
			t.Errorf("IsNil(%#v) = true", v)
		}
	}
}
