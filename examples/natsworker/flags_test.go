package main

import (
	"io"
	"strings"
	"testing"
)

func TestFlagErrorsNameTheValue(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-policy", "later"}, `-policy "later"`},
		{[]string{"-workers", "0"}, "-workers 0"},
		{[]string{"-ackwait", "0s"}, "-ackwait 0s"},
		{[]string{"-fetchwait", "-1s"}, "-fetchwait -1s"},
		{[]string{"-budget", "0s"}, "-budget 0s"},
		{[]string{"-job", "-1ms"}, "-job -1ms"},
		{[]string{"-grace", "-1s"}, "-grace -1s"},
		{[]string{"-fetchwait", "5s", "-budget", "2s"}, "-fetchwait 5s"},
	} {
		_, err := parseFlags(tc.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseFlags(%q) = %v, want an error naming %s", tc.args, err, tc.want)
		}
	}
	if _, err := parseFlags(nil, io.Discard); err != nil {
		t.Errorf("defaults: %v", err)
	}
}
