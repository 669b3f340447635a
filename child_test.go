package ctrlc

import "time"

// childScenarios are the child programs of this package's tests: the test
// binary, started again by ctrlctest.Self, runs one of them instead of the
// tests (TestMain, in main_test.go, calls ctrlctest.RunChild), with the args
// given to Self. Platform test files add theirs in init, and so do the
// external test package's files (ChildScenarios is the same map).
//
// TestMain and the tests that start children are in the external test
// package, ctrlc_test, because ctrlctest (and pool) import this package,
// which its own tests therefore cannot import. The children that need the
// package's insides stay here, beside the tests of those insides.
var childScenarios = map[string]func(args []string) int{}

// Exported to the external test package only (this is a _test.go file).
var (
	ChildScenarios = childScenarios
	ResetHandler   = resetHandler
)

// SelfEnv is the environment variable by which ctrlctest.Self names the
// scenario (TestMain checks that it is); the js tests start their Node
// children with it. childTimeout is ctrlctest's bound on every wait.
const (
	SelfEnv      = "CTRLC_TEST_CHILD"
	childTimeout = 30 * time.Second
)
