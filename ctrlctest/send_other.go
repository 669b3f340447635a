//go:build !unix && !windows

package ctrlctest

import "github.com/ctrlc-go/ctrlc"

func send(pid int, k ctrlc.Kind) error { return noEvent(k, "") }
