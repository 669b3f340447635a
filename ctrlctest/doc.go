// Package ctrlctest tests a program's shutdown with real stop events: it
// starts the program, waits for a line of its output, sends it a real
// signal or console event of any ctrlc.Kind, and collects its output and how
// it ended.
//
//	p := ctrlctest.Start(t, exec.Command("./mybot"))
//	p.WaitFor("ready")
//	p.Send(ctrlc.Interrupt)
//	if st := p.Wait(); !st.EndedBy(ctrlc.Interrupt) { // the same on every OS
//		t.Fatalf("%v; output:\n%s", st, p.Output())
//	}
//
// Send delivers the event the way the operating system does, so the program
// under test cannot tell the difference.
//
// On Unix, Send is kill(2) with the kind's signal: Interrupt is SIGINT,
// Terminate SIGTERM, Hangup SIGHUP and Quit SIGQUIT. Start puts the program
// in a process group of its own, so that a signal for it never reaches the
// test.
//
// On Windows, a console process gets an event when the console starts a
// thread in it at CtrlRoutine(event), the routine that runs its
// SetConsoleCtrlHandler handlers. Send does the same: it opens the process,
// starts a thread there at CtrlRoutine with CreateRemoteThread and waits for
// the thread to end. Interrupt is CTRL_C_EVENT, Break CTRL_BREAK_EVENT,
// Close CTRL_CLOSE_EVENT, Logoff CTRL_LOGOFF_EVENT and Shutdown
// CTRL_SHUTDOWN_EVENT; this needs neither a console nor a process group, and
// it works under Wine too. Terminate has no console event and is an error:
// send Close, which Go's runtime reports as SIGTERM. For Close, Logoff and
// Shutdown, Windows ends the process once its handlers return, or when they
// hold it longer than the system allows (5 s for Close, 20 s for Logoff and
// Shutdown); Send does the same with TerminateProcess and exit status
// STATUS_CONTROL_C_EXIT when the process is still alive half a second after
// that (Wine leaves it running), so a test sees what Windows users see. A
// process that exits by itself first, inside the hold or within that half
// second, keeps its own exit status.
//
// Windows details: the target must be a process of the same architecture
// that the test's user may open (PROCESS_CREATE_THREAD and friends). A
// process started with CREATE_NEW_PROCESS_GROUP ignores an injected
// CTRL_C_EVENT, as it ignores a typed Ctrl-C (under Wine it ignores every
// injected event), so Start does not use that flag. The ignore is inherited:
// when the test itself runs in a new process group, its children ignore
// CTRL_C_EVENT too, and a listener hears it only when made with
// ctrlc.WithEvenIfIgnored (or after SetConsoleCtrlHandler(NULL, FALSE)).
// CtrlRoutine is exported by kernel32 under Wine but not by Windows: there,
// the first Send runs the test binary once more, hidden in a console of its
// own, to send itself an event and report the address of the routine its
// handler was called from (an init function in this package does that, so
// any binary that imports it can).
//
// Elsewhere (js/wasm, wasip1, plan9, ...) Send returns an error wrapping
// errors.ErrUnsupported, and Start skips the test where no child process can
// run.
//
// A test binary can be its own child program: Self returns a command that
// runs it again as a named scenario, and RunChild, called from TestMain,
// runs that scenario with the args given to Self.
package ctrlctest
