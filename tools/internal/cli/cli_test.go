package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"testing"
)

// When the test binary runs as the child of TestSignalEndsTheContext, it is
// a command that says it started, waits for its context to end, says why
// and exits 7.
func TestMain(m *testing.M) {
	if os.Getenv("CLI_TEST_CHILD") == "1" {
		Main(func(ctx context.Context, args []string, stdout, _ io.Writer) int {
			fmt.Fprintln(stdout, "started", args)
			<-ctx.Done()
			fmt.Fprintln(stdout, "stopped:", context.Cause(ctx))
			return 7
		})
	}
	os.Exit(m.Run())
}

// SIGTERM and SIGINT end the command's context, and the process exits with
// the status the command returned: its clean-up runs.
func TestSignalEndsTheContext(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "a", "b")
			cmd.Env = append(os.Environ(), "CLI_TEST_CHILD=1")
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 64)
			n, _ := out.Read(buf) // the command has started: its handler is in place
			if got := string(buf[:n]); got != "started [a b]\n" {
				t.Fatalf("the child said %q", got)
			}
			cmd.Process.Signal(sig)
			rest, _ := io.ReadAll(out)
			err = cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 7 {
				t.Errorf("exit: %v, want status 7", err)
			}
			if got, want := string(rest), fmt.Sprintf("stopped: %v signal received\n", sig); got != want {
				t.Errorf("after %v the child said %q, want %q", sig, got, want)
			}
		})
	}
}
