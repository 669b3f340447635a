// Package svcmode tells ctrlc's console handler that the process runs as a
// Windows service, which package service knows: a service gets
// CTRL_LOGOFF_EVENT whenever any user logs off, and must not stop on it.
package svcmode

import "sync/atomic"

var on atomic.Bool

// Set records whether the process runs as a service.
func Set(service bool) { on.Store(service) }

// On reports whether the process runs as a service.
func On() bool { return on.Load() }
