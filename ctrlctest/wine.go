package ctrlctest

import "github.com/ctrlc-go/ctrlc/internal/wine"

// WineVersion returns Wine's version, such as "8.0", and true when the
// program runs under Wine (whose ntdll exports wine_get_version), so that a
// test can skip what Wine cannot do, with the reason. Elsewhere than
// Windows it returns "", false.
func WineVersion() (string, bool) { return wine.Version() }
