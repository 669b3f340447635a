package ctrlctest_test

import (
	"fmt"
	"log"
	"os/exec"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
)

// Send needs only a pid: here, a server started without Start, asked to
// close as a console window's close button would on Windows (a terminal's
// SIGTERM would be ctrlc.Terminate on Unix).
func ExampleSend() {
	server := exec.Command("./server")
	if err := server.Start(); err != nil {
		log.Fatal(err)
	}
	// ... once the server is ready:
	if err := ctrlctest.Send(server.Process.Pid, ctrlc.Close); err != nil {
		log.Fatal(err)
	}
	fmt.Println(server.Wait()) // exit status 3221225786 (STATUS_CONTROL_C_EXIT)
}
