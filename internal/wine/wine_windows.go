//go:build windows

package wine

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

// Version returns Wine's version, such as "8.0", and true when the program
// runs under Wine, whose ntdll exports wine_get_version.
func Version() (string, bool) {
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
