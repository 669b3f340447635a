package pool

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type job struct{ id int }

func (j job) String() string { return fmt.Sprintf("job %d", j.id) }

type record struct{ payload []byte }

type ptrStringer struct{ name string }

func (p *ptrStringer) String() string { return p.name } // panics on a nil receiver

type loud string

func (l loud) String() string { return strings.Repeat(string(l), 10_000) }

type badError struct{}

func (badError) Error() string { panic("Error broke") }

// ItemError's text shows a short form of the item, never more than a few
// hundred bytes of it, and survives String and Error methods that panic.
func TestItemErrorShowsAShortFormOfTheItem(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		item any
		want string
	}{
		{42, "run: item 42: boom"},
		{3.5, "run: item 3.5: boom"},
		{true, "run: item true: boom"},
		{"cmd !roll", `run: item "cmd !roll": boom`},
		{job{7}, "run: item job 7: boom"},
		{make([]byte, 1<<20), "run: item ([]uint8, len 1048576): boom"},
		{map[string]int{"a": 1}, "run: item (map[string]int, len 1): boom"},
		{record{payload: make([]byte, 1<<20)}, "run: item (pool.record): boom"},
		{(*ptrStringer)(nil), "run: item (*pool.ptrStringer): boom"},
		{nil, "run: item <nil>: boom"},
	} {
		e := &ItemError[any]{Stage: StageRun, Item: tc.item, Err: boom}
		assert.Equal(t, tc.want, e.Error(), "%T", tc.item)
	}
	for _, item := range []any{strings.Repeat("é", 100_000), loud("x"), errors.New(strings.Repeat("e", 1<<16))} {
		text := (&ItemError[any]{Stage: StageQueue, Item: item, Err: boom}).Error()
		assert.LessOrEqual(t, len(text), 300, "%T: %.100s", item, text)
		assert.Contains(t, text, "… (", "%T: the cut says how long the whole was", item)
	}
	e := &ItemError[int]{Stage: StageRun, Item: 1, Err: badError{}}
	assert.Equal(t, "run: item 1: (pool.badError whose Error method panicked)", e.Error())
	assert.Equal(t, "run: item 1: <nil>", (&ItemError[int]{Stage: StageRun, Item: 1}).Error())
}

// PanicError's text is the value, short, without the stack.
func TestPanicErrorText(t *testing.T) {
	assert.Equal(t, `panic: "no"`, (&PanicError{Value: "no", Stack: []byte("goroutine 1 [running]:\n...")}).Error())
	assert.Equal(t, "panic: 7", (&PanicError{Value: 7}).Error())
	assert.Equal(t, "panic(nil)", (&PanicError{}).Error())
	assert.Equal(t, "panic: pool: runtime.Goexit called", (&PanicError{Value: ErrGoexit}).Error())
	assert.LessOrEqual(t, len((&PanicError{Value: strings.Repeat("x", 1<<20)}).Error()), 300)
	assert.Equal(t, "panic: ([]uint8, len 4096)", (&PanicError{Value: make([]byte, 4096)}).Error())
}

// Typed-nil errors are safe: their methods do not panic, and neither do
// errors.Is and errors.As on an error that holds them.
func TestNilErrorsAreSafe(t *testing.T) {
	var pe *PanicError
	var ie *ItemError[int]
	assert.Equal(t, "<nil *pool.PanicError>", pe.Error())
	assert.Nil(t, pe.Unwrap())
	assert.Equal(t, "<nil *pool.ItemError>", ie.Error())
	assert.Nil(t, ie.Unwrap())
	assert.Equal(t, "run: item 1: <nil *pool.PanicError>", (&ItemError[int]{Stage: StageRun, Item: 1, Err: pe}).Error())
}

// A handler that returns a typed-nil *PanicError (or *ItemError) as its
// error: Run's error holds it, and errors.Is, errors.As and its text do
// not panic.
func TestATypedNilErrorFromAHandlerIsSafe(t *testing.T) {
	p, err := New(func(_ context.Context, i int) error {
		if i == 1 {
			return (*PanicError)(nil)
		}
		return (*ItemError[string])(nil)
	}, Options{Workers: 1})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 1))
	require.NoError(t, p.Submit(context.Background(), 2))
	r, err := closeAndRun(t, p)
	require.Error(t, err)
	require.NotPanics(t, func() {
		assert.False(t, errors.Is(err, ErrTimeout))
		assert.False(t, errors.Is(err, context.Canceled))
		var pe *PanicError
		assert.True(t, errors.As(err, &pe))
		assert.Nil(t, pe)
		var ie *ItemError[int]
		require.True(t, errors.As(err, &ie))
		assert.Equal(t, 1, ie.Item)
		var other *ItemError[string]
		assert.True(t, errors.As(err, &other))
		_ = err.Error()
		_ = fmt.Sprintf("%v %+v %q", err, err, err)
	})
	assert.Contains(t, err.Error(), "run: item 1: <nil *pool.PanicError>")
	assert.Contains(t, err.Error(), "run: item 2: <nil *pool.ItemError>")
	assert.Equal(t, 2, r.Failed+r.Panicked)
	assert.True(t, r.Balanced())
}
