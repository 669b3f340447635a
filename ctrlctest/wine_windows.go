//go:build windows

package ctrlctest

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

// WineVersion returns Wine's version, such as "8.0", and true when the
// program runs under Wine (whose ntdll exports wine_get_version), so that a
// test can skip what Wine cannot do, with the reason.
func WineVersion() (string, bool) {
	p := windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version")
	if p.Find() != nil {
		return "", false
	}
	r, _, _ := p.Call()
	if r == 0 {
		return "?", true
	}
	return windows.BytePtrToString(*(**byte)(unsafe.Pointer(&r))), true // r points into ntdll
}
