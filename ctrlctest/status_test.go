package ctrlctest_test

import (
	"fmt"

	"github.com/ctrlc-go/ctrlc/ctrlctest"
)

func ExampleStatus_String() {
	fmt.Println(ctrlctest.Status{Code: 0})
	fmt.Println(ctrlctest.Status{Code: 130})
	fmt.Println(ctrlctest.Status{Code: 0xC000013A})
	// Output:
	// exit code 0
	// exit code 130
	// exit code 0xc000013a
}
