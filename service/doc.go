// Package service runs a ctrlc program under a service manager: the Windows
// service control manager, or systemd. The program keeps listening for its
// stop events on the ctrlc shutdown channel, as it does in a terminal; this
// package brings the manager's stop requests to that channel and tells the
// manager how the program is doing, so that the manager waits for the drain
// instead of killing it.
//
//	func main() {
//		code, err := service.Run(*serviceName, program) // "" on Linux, or to detect
//		if err != nil {
//			log.Fatal(err)
//		}
//		os.Exit(code)
//	}
//
//	func program() int {
//		l, _ := ctrlc.Notify()
//		defer l.Stop()
//		service.Ready()
//		e := <-l.C()
//		service.Stopping()
//		for !drained() {
//			service.Progress("draining: 12 jobs left", 5*time.Second)
//			...
//		}
//		return 0
//	}
//
// The surface is Run, which wraps the program, and four notifications:
// Ready, Stopping, Status and Progress. Each does nothing, and returns nil,
// where no service manager listens, so a program calls them unconditionally.
//
// # Windows
//
// A service has no console, so no console event ever reaches it: the service
// control manager (SCM) sends control requests to a handler registered
// through the service dispatcher instead. Run starts the dispatcher
// (golang.org/x/sys/windows/svc) when the process is a service, which it
// detects with svc.IsWindowsService, or when it is given a service name:
// detection fails under Wine, which runs services in session 1, so a program
// should let its user force service mode, with a flag such as -service NAME.
//
// The service reports StartPending until the program calls Ready, then
// Running, accepting Stop, Shutdown and PreShutdown. Stop arrives on the
// program's listeners as a ctrlc.Terminate event, Shutdown and PreShutdown as
// a ctrlc.Shutdown event (delivered with ctrlc.Trigger, so the program must
// listen to those kinds; the default kinds include them). From that moment
// the service reports StopPending and accepts no other request; each
// Progress advances its CheckPoint and sets its WaitHint, which tells the SCM
// (and whoever waits on it) that the drain is alive, and how long to wait
// for the next sign. When the program returns, the service reports Stopped,
// with the program's exit code as the ServiceSpecificExitCode when it is not
// zero. Status has nowhere to go on Windows.
//
// A service still gets two console events: CTRL_SHUTDOWN_EVENT at system
// shutdown, which arrives as ctrlc.Shutdown, and CTRL_LOGOFF_EVENT whenever
// any user logs off, which is no reason for a service to stop: while Run
// runs a service, the console handler takes it and delivers nothing, so a
// service listens with the default kinds.
//
// Accepting PreShutdown matters: at system shutdown, the SCM sends it first
// and waits for services that report progress, while services that only
// accept Shutdown get a few seconds. Wine delivers neither.
//
// A service registers with sc.exe or PowerShell, for example:
//
//	sc.exe create mybot binPath= "C:\bots\mybot.exe -service mybot" start= demand
//	New-Service -Name mybot -BinaryPathName 'C:\bots\mybot.exe -service mybot'
//
// # Linux: systemd
//
// Under a unit of Type=notify, systemd passes the path of a datagram socket
// in $NOTIFY_SOCKET (an abstract socket name when it starts with '@'), and
// reads the program's state from it (see sd_notify(3)). Ready sends READY=1,
// which ends the start (systemctl start returns, dependent units start);
// Stopping sends STOPPING=1; Status sends STATUS=, the line systemctl status
// shows; Progress sends STATUS= with EXTEND_TIMEOUT_USEC=, which lets a drain
// run past TimeoutStopSec as long as it keeps reporting within the promised
// time. Stop requests need no bridge there: systemd sends SIGTERM (KillSignal),
// which ctrlc delivers as Terminate. Run just calls the program.
//
// The variable is read at each notification, with no connection kept open;
// when it is unset or empty, the notifications do nothing. The package does
// not answer the watchdog (WATCHDOG_USEC): a ping sent by a timer of its own
// would only prove that the Go runtime is alive, which is not what a
// watchdog is for.
//
// # Other platforms
//
// Elsewhere Run calls the program and the notifications do nothing.
package service
