package pool

import (
	"reflect"
	"time"

	"github.com/ctrlc-go/ctrlc"
)

// eventDeadline returns e.Deadline. ctrlc.Event gains its Deadline field on
// another branch (issue 10); until both are merged, reflection reads it when
// it is there, so this package compiles and works either way.
// TODO(merge): return e.Deadline.
func eventDeadline(e ctrlc.Event) time.Time {
	f := reflect.ValueOf(e).FieldByName("Deadline")
	if !f.IsValid() {
		return time.Time{}
	}
	d, _ := f.Interface().(time.Time)
	return d
}
