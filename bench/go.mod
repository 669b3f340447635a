module github.com/ctrlc-go/ctrlc/bench

go 1.26.0

replace github.com/ctrlc-go/ctrlc => ../

require (
	github.com/alitto/pond/v2 v2.7.1
	github.com/ctrlc-go/ctrlc v0.0.0-00010101000000-000000000000
	github.com/panjf2000/ants/v2 v2.12.1
	github.com/sourcegraph/conc v0.3.0
	golang.org/x/sync v0.25.0
	golang.org/x/sys v0.50.0
)

require (
	github.com/hashicorp/errwrap v1.0.0 // indirect
	github.com/hashicorp/go-multierror v1.1.1 // indirect
	go.uber.org/atomic v1.7.0 // indirect
	go.uber.org/multierr v1.9.0 // indirect
)
