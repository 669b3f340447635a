package ctrlc

import "time"

// childScenarios are the child programs of this package's tests: the test
// binary, started again by ctrlctest.Self, runs one of them instead of the
// tests (TestMain, in main_test.go, calls ctrlctest.RunChild). Platform test
// files add theirs in init.
//
// TestMain and the tests that start children are in the external test
// package, ctrlc_test, because ctrlctest imports this package, which its own
// tests therefore cannot import. The children stay here, beside the tests
// of the package's insides.
var childScenarios = map[string]func() int{}

// Exported to the external test package only (this is a _test.go file).
var (
	ChildScenarios = childScenarios
	ResetHandler   = resetHandler
)

// ctrlctest.SelfEnv and ctrlctest.Timeout, for this package's own tests
// (TestMain checks that SelfEnv matches).
const (
	SelfEnv      = "CTRLC_TEST_CHILD"
	childTimeout = 30 * time.Second
)
