// Package run executes one command (locally or over SSH), captures stdout and stderr for the resource outputs,
// streams lines to the engine log as the logging mode allows, and turns a failure into an error that shows
// the exit code and the tail of the output, unless logging is "none".
package run

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
)

// Logging modes, as in the schema's Logging enum.
const (
	LogStdout          = "stdout"
	LogStderr          = "stderr"
	LogStdoutAndStderr = "stdoutAndStderr"
	LogNone            = "none"
)

// Request is what to run, independent of where.
type Request struct {
	Op      string // create, update or delete: named in errors
	Command string
	Stdin   *string
	Env     map[string]string // from the environment input
	// PrevEnv holds PULUMI_COMMAND_STDOUT/STDERR for update and delete (empty when addPreviousOutputInEnv is false).
	PrevEnv map[string]string
	Logging string
	// Line receives each logged output line; nil discards them.
	Line func(stream, line string)
}

// Output is the captured output, trimmed like the real provider's outputs.
type Output struct {
	Stdout, Stderr string
}

// ExitError is a command that ran and failed. Its message carries the output tail only when logging allows.
type ExitError struct {
	Where          string
	Op             string
	Code           int
	Stdout, Stderr string
	Logging        string
}

const tailLines = 20
const tailBytes = 4096

func (e *ExitError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s command failed", e.Where, e.Op)
	if e.Code >= 0 {
		fmt.Fprintf(&b, " with exit code %d", e.Code)
	} else {
		b.WriteString(" without an exit status")
	}
	if e.Logging == LogNone {
		b.WriteString(" (output not shown: logging is \"none\")")
		return b.String()
	}
	if logs(e.Logging, "stderr") && strings.TrimSpace(e.Stderr) != "" {
		fmt.Fprintf(&b, "\n--- stderr (tail) ---\n%s", tail(e.Stderr))
	}
	if logs(e.Logging, "stdout") && strings.TrimSpace(e.Stdout) != "" {
		fmt.Fprintf(&b, "\n--- stdout (tail) ---\n%s", tail(e.Stdout))
	}
	return b.String()
}

// logs reports whether a stream may appear in logs and errors under the logging mode ("" is the default).
func logs(mode, stream string) bool {
	switch mode {
	case "", LogStdoutAndStderr:
		return true
	case LogStdout:
		return stream == "stdout"
	case LogStderr:
		return stream == "stderr"
	}
	return false
}

// tail keeps the last lines of s, bounded in bytes.
func tail(s string) string {
	s = strings.TrimRight(s, "\n")
	lines := strings.Split(s, "\n")
	if len(lines) > tailLines {
		lines = lines[len(lines)-tailLines:]
	}
	out := strings.Join(lines, "\n")
	if len(out) > tailBytes {
		out = "..." + out[len(out)-tailBytes:]
	}
	return out
}

// trim drops one trailing newline, as the real provider does for its outputs.
func trim(s string) string { return strings.TrimSuffix(s, "\n") }

// capture records a stream and forwards complete lines to the log when the logging mode allows.
type capture struct {
	mu      *sync.Mutex
	stream  string
	buf     bytes.Buffer
	partial []byte
	line    func(stream, line string)
}

func newCapture(mu *sync.Mutex, stream string, r Request) *capture {
	c := &capture{mu: mu, stream: stream}
	if r.Line != nil && logs(r.Logging, stream) {
		c.line = r.Line
	}
	return c
}

func (c *capture) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(p)
	if c.line == nil {
		return len(p), nil
	}
	c.partial = append(c.partial, p...)
	for {
		i := bytes.IndexByte(c.partial, '\n')
		if i < 0 {
			break
		}
		c.line(c.stream, strings.TrimSuffix(string(c.partial[:i]), "\r"))
		c.partial = c.partial[i+1:]
	}
	return len(p), nil
}

// flush logs a last line that had no newline.
func (c *capture) flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.line != nil && len(c.partial) > 0 {
		c.line(c.stream, string(c.partial))
		c.partial = nil
	}
}

func (c *capture) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

// stdinReader gives the command its stdin input, or nothing.
func stdinReader(r Request) io.Reader {
	if r.Stdin == nil {
		return nil
	}
	return strings.NewReader(*r.Stdin)
}
