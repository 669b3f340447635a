//go:build !windows

package ctrlctest

// WineVersion returns Wine's version and true when the program runs under
// Wine; on this platform it never does.
func WineVersion() (string, bool) { return "", false }
