// Package escalate carries a shutdown's hurry from the ctrlc listener behind
// a context (ctrlc.NotifyContext) to the pools that drain under it (Run), so
// that neither package exports the link.
package escalate

import (
	"context"
	"sync"
	"time"
)

type key struct{}

// State is the escalation of one NotifyContext listener: its second event
// hurries every drain under way under its context.
type State struct {
	mu      sync.Mutex
	first   error         // the first event, once it came
	hurried chan struct{} // closed at the hurry
	cause   error         // the event that hurried, set before hurried is closed
	drains  map[*drain]struct{}
	idle    chan struct{} // closed and replaced when the last drain leaves
}

// drain is one Run call under the context.
type drain struct{ onHurry func(cause error) }

// New returns a State with no drain under way.
func New() *State {
	return &State{hurried: make(chan struct{}), idle: make(chan struct{})}
}

// With returns a copy of parent that carries s.
func With(parent context.Context, s *State) context.Context {
	return context.WithValue(parent, key{}, s)
}

// From returns the State that ctx or one of its parents carries, or nil.
func From(ctx context.Context) *State {
	s, _ := ctx.Value(key{}).(*State)
	return s
}

// Enter records a drain under way (a Run call) and returns the function that
// ends it, which may be called more than once. onHurry, if not nil, is
// called at the hurry, on the goroutine that hurries (the delivery path:
// it must not block), or at once, on this goroutine, if the hurry came
// before: the drain hears of it without a goroutine of its own to wait.
func (s *State) Enter(onHurry func(cause error)) (leave func()) {
	d := &drain{onHurry: onHurry}
	s.mu.Lock()
	if s.drains == nil {
		s.drains = make(map[*drain]struct{})
	}
	s.drains[d] = struct{}{}
	cause := s.cause
	s.mu.Unlock()
	if cause != nil && onHurry != nil {
		onHurry(cause)
	}
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if _, ok := s.drains[d]; !ok {
			return
		}
		delete(s.drains, d)
		if len(s.drains) == 0 {
			close(s.idle)
			s.idle = make(chan struct{})
		}
	}
}

// Stop records the first event.
func (s *State) Stop(e error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.first == nil {
		s.first = e
	}
}

// First returns the first event, or nil before it came: a drain started
// another way reports the event that joined it.
func (s *State) First() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first
}

// Hurry hurries the drains under way with cause, calling their onHurry
// functions, and reports whether there were any. Only the first call
// closes Hurried and calls them.
func (s *State) Hurry(cause error) bool {
	s.mu.Lock()
	var calls []func(error)
	if s.cause == nil {
		s.cause = cause
		close(s.hurried)
		for d := range s.drains {
			if d.onHurry != nil {
				calls = append(calls, d.onHurry)
			}
		}
	}
	draining := len(s.drains) > 0
	s.mu.Unlock()
	for _, f := range calls {
		f(cause)
	}
	return draining
}

// Draining reports whether a drain is under way.
func (s *State) Draining() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.drains) > 0
}

// Hurried returns a channel closed at the hurry.
func (s *State) Hurried() <-chan struct{} { return s.hurried }

// WaitIdle waits until no drain is under way, or d passes, and reports
// whether none is.
func (s *State) WaitIdle(d time.Duration) bool {
	s.mu.Lock()
	if len(s.drains) == 0 {
		s.mu.Unlock()
		return true
	}
	idle := s.idle
	s.mu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-idle:
		return true
	case <-t.C:
		return false
	}
}
