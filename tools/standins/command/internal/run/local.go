package run

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"sync"
	"time"
)

// LocalRequest adds what only a local command has.
type LocalRequest struct {
	Request
	Interpreter []string // default /bin/sh -c
	Dir         string
}

// Local runs the command on this machine with the interpreter, the inherited environment plus the extra
// variables, in Dir.
func Local(ctx context.Context, r LocalRequest) (Output, error) {
	interp := r.Interpreter
	if len(interp) == 0 {
		interp = []string{"/bin/sh", "-c"}
	}
	args := append(append([]string{}, interp[1:]...), r.Command)
	cmd := exec.CommandContext(ctx, interp[0], args...)
	cmd.Dir = r.Dir
	cmd.Env = os.Environ()
	for _, m := range []map[string]string{r.PrevEnv, r.Env} {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			cmd.Env = append(cmd.Env, k+"="+m[k])
		}
	}
	cmd.Stdin = stdinReader(r.Request)
	var mu sync.Mutex
	stdout, stderr := newCapture(&mu, "stdout", r.Request), newCapture(&mu, "stderr", r.Request)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	stdout.flush()
	stderr.flush()
	out := Output{Stdout: trim(stdout.String()), Stderr: trim(stderr.String())}
	if err == nil {
		return out, nil
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return out, &ExitError{
			Where: "local", Op: r.Op, Code: exitErr.ExitCode(),
			Stdout: out.Stdout, Stderr: out.Stderr, Logging: r.Logging,
		}
	}
	return out, fmt.Errorf("local %s command could not run (interpreter %q): %w", r.Op, interp[0], err)
}
