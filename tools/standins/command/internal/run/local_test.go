package run

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type lines struct{ got []string }

func (l *lines) add(stream, line string) { l.got = append(l.got, stream+":"+line) }

func TestLocalCapturesAndTrims(t *testing.T) {
	dir := t.TempDir()
	in := "from stdin"
	var l lines
	out, err := Local(context.Background(), LocalRequest{
		Request: Request{
			Op:      "create",
			Command: `pwd; echo "$GREETING"; cat; echo; echo oops >&2`,
			Stdin:   &in,
			Env:     map[string]string{"GREETING": "hello"},
			Line:    l.add,
		},
		Dir: dir,
	})
	require.NoError(t, err)
	real, _ := filepath.EvalSymlinks(dir)
	assert.Equal(t, real+"\nhello\nfrom stdin", out.Stdout, "one trailing newline is trimmed")
	assert.Equal(t, "oops", out.Stderr)
	assert.Contains(t, l.got, "stdout:hello")
	assert.Contains(t, l.got, "stderr:oops")
}

func TestLocalInterpreterAndPrevEnv(t *testing.T) {
	out, err := Local(context.Background(), LocalRequest{
		Request: Request{
			Op: "update", Command: `import os; print(os.environ["PULUMI_COMMAND_STDOUT"])`,
			PrevEnv: map[string]string{"PULUMI_COMMAND_STDOUT": "before"},
		},
		Interpreter: []string{"python3", "-c"},
	})
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("python3 absent")
	}
	require.NoError(t, err)
	assert.Equal(t, "before", out.Stdout)
}

func TestLocalFailureShowsExitCodeAndTail(t *testing.T) {
	_, err := Local(context.Background(), LocalRequest{Request: Request{
		Op: "create", Command: `echo progress; echo "disk full" >&2; exit 7`,
	}})
	var exitErr *ExitError
	require.ErrorAs(t, err, &exitErr)
	assert.Equal(t, 7, exitErr.Code)
	assert.Contains(t, err.Error(), "exit code 7")
	assert.Contains(t, err.Error(), "disk full")
	assert.Contains(t, err.Error(), "progress")
}

func TestLoggingNoneHidesOutput(t *testing.T) {
	var l lines
	_, err := Local(context.Background(), LocalRequest{Request: Request{
		Op: "create", Command: `echo s3cr3t; echo s3cr3t >&2; exit 1`, Logging: LogNone, Line: l.add,
	}})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cr3t")
	assert.Contains(t, err.Error(), "exit code 1")
	assert.Empty(t, l.got, "nothing is streamed with logging none")

	l = lines{}
	_, err = Local(context.Background(), LocalRequest{Request: Request{
		Op: "create", Command: `echo out; echo err >&2; exit 1`, Logging: LogStdout, Line: l.add,
	}})
	require.Error(t, err)
	assert.Equal(t, []string{"stdout:out"}, l.got)
	assert.NotContains(t, err.Error(), "err\n")
	assert.Contains(t, err.Error(), "out")
}

func TestTailBoundsLongOutput(t *testing.T) {
	long := ""
	for i := range 100 {
		long += string(rune('a'+i%26)) + "\n"
	}
	got := tail(long)
	assert.Len(t, splitLines(got), tailLines)
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := range len(s) {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
