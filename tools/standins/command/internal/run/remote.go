package run

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"golang.org/x/crypto/ssh"
)

// Remote runs the command in a new session of the client. Environment variables go through SSH setenv like the
// real provider's, so the server must allow them with AcceptEnv; the PULUMI_COMMAND_* ones are best effort
// because a default sshd refuses them and the real provider's users rarely rely on them.
func Remote(ctx context.Context, client *ssh.Client, r Request) (Output, error) {
	session, err := client.NewSession()
	if err != nil {
		return Output{}, fmt.Errorf("remote %s: opening an SSH session: %w", r.Op, err)
	}
	defer func() { _ = session.Close() }()

	for _, k := range sortedKeys(r.Env) {
		if err := session.Setenv(k, r.Env[k]); err != nil {
			return Output{}, fmt.Errorf("remote %s: the SSH server refused environment variable %q; "+
				"allow it with AcceptEnv in the server's sshd_config, or set it in the command itself: %w", r.Op, k, err)
		}
	}
	for _, k := range sortedKeys(r.PrevEnv) {
		_ = session.Setenv(k, r.PrevEnv[k])
	}

	session.Stdin = stdinReader(r)
	var mu sync.Mutex
	stdout, stderr := newCapture(&mu, "stdout", r), newCapture(&mu, "stderr", r)
	session.Stdout, session.Stderr = stdout, stderr
	if err := session.Start(r.Command); err != nil {
		return Output{}, fmt.Errorf("remote %s: starting the command: %w", r.Op, err)
	}
	done := make(chan error, 1)
	go func() { done <- session.Wait() }()
	select {
	case err = <-done:
	case <-ctx.Done():
		_ = session.Signal(ssh.SIGKILL)
		_ = session.Close()
		err = <-done
		if err == nil {
			err = ctx.Err()
		}
	}
	stdout.flush()
	stderr.flush()
	out := Output{Stdout: trim(stdout.String()), Stderr: trim(stderr.String())}
	if err == nil {
		return out, nil
	}
	var exitErr *ssh.ExitError
	var missing *ssh.ExitMissingError
	switch {
	case errors.As(err, &exitErr):
		return out, &ExitError{Where: "remote", Op: r.Op, Code: exitErr.ExitStatus(),
			Stdout: out.Stdout, Stderr: out.Stderr, Logging: r.Logging}
	case errors.As(err, &missing):
		return out, &ExitError{Where: "remote", Op: r.Op, Code: -1,
			Stdout: out.Stdout, Stderr: out.Stderr, Logging: r.Logging}
	}
	return out, fmt.Errorf("remote %s: %w", r.Op, err)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
