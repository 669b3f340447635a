//go:build !windows

package ctrlctest_test

func acceptCtrlC() {}
