//go:build !windows

package wine

// Version returns Wine's version and true when the program runs under Wine;
// on this platform it never does.
func Version() (string, bool) { return "", false }
