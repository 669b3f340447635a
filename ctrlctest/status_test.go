package ctrlctest_test

import (
	"fmt"

	"github.com/ctrlc-go/ctrlc/ctrlctest"
)

func ExampleExitStatus_String() {
	fmt.Println(ctrlctest.ExitStatus{Code: 0})
	fmt.Println(ctrlctest.ExitStatus{Code: 130})
	status := uint32(0xC000013A) // STATUS_CONTROL_C_EXIT, as Windows reports it
	fmt.Println(ctrlctest.ExitStatus{Code: int(status)})
	// Output:
	// exit code 0
	// exit code 130
	// exit code 0xc000013a
}
