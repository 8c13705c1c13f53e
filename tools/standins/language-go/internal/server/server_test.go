package server

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// lockedBuffer collects output written from the child process's copier goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func write(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

// fakeProgram prints the variables pulumi.Run would read and exits with the status given as
// its first argument; it has no dependencies so it builds in a moment.
const fakeProgram = `package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

func main() {
	for _, k := range []string{"PULUMI_PROJECT", "PULUMI_STACK", "PULUMI_CONFIG", "PULUMI_CONFIG_SECRET_KEYS",
		"PULUMI_DRY_RUN", "PULUMI_MONITOR", "PULUMI_ENGINE", "PULUMI_ROOT_DIRECTORY", "PULUMI_PARALLEL",
		"PULUMI_ORGANIZATION"} {
		fmt.Printf("%s=%s\n", k, os.Getenv(k))
	}
	wd, _ := os.Getwd()
	fmt.Printf("PWD=%s\n", wd)
	fmt.Fprintln(os.Stderr, "to stderr")
	code := 0
	if len(os.Args) > 1 && os.Args[1] == "sleep" {
		time.Sleep(time.Minute)
	} else if len(os.Args) > 1 {
		code, _ = strconv.Atoi(os.Args[1])
	}
	os.Exit(code)
}
`

func newTestServer(t *testing.T) (*Server, *lockedBuffer, *lockedBuffer) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go toolchain not on PATH")
	}
	var out, errOut lockedBuffer
	return New("127.0.0.1:9", goBin, t.TempDir(), &out, &errOut), &out, &errOut
}

func project(t *testing.T) string {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "go.mod"), "module example.com/fake\n\ngo 1.26\n")
	write(t, filepath.Join(dir, "main.go"), fakeProgram)
	return dir
}

func runRequest(dir string, args ...string) *pulumirpc.RunRequest {
	return &pulumirpc.RunRequest{
		Project:          "fake",
		Stack:            "dev",
		Pwd:              dir,
		Args:             args,
		Config:           map[string]string{"fake:name": "mesh"},
		ConfigSecretKeys: []string{"fake:token"},
		DryRun:           true,
		Parallel:         4,
		MonitorAddress:   "127.0.0.1:7",
		Organization:     "organization",
		Info:             &pulumirpc.ProgramInfo{RootDirectory: dir, ProgramDirectory: dir, EntryPoint: "."},
	}
}

func TestRunPassesEnvironmentAndStreams(t *testing.T) {
	s, out, errOut := newTestServer(t)
	dir := project(t)

	resp, err := s.Run(context.Background(), runRequest(dir))
	require.NoError(t, err)
	assert.Empty(t, resp.GetError())
	assert.False(t, resp.GetBail())

	got := out.String()
	for _, want := range []string{
		"PULUMI_PROJECT=fake\n", "PULUMI_STACK=dev\n", `PULUMI_CONFIG={"fake:name":"mesh"}` + "\n",
		`PULUMI_CONFIG_SECRET_KEYS=["fake:token"]` + "\n", "PULUMI_DRY_RUN=true\n",
		"PULUMI_MONITOR=127.0.0.1:7\n", "PULUMI_ENGINE=127.0.0.1:9\n", "PULUMI_ROOT_DIRECTORY=" + dir + "\n",
		"PULUMI_PARALLEL=4\n", "PULUMI_ORGANIZATION=organization\n", "PWD=" + dir + "\n",
	} {
		assert.Contains(t, got, want)
	}
	assert.Equal(t, "to stderr\n", errOut.String())
}

func TestHandshakeSetsEngineAddress(t *testing.T) {
	s, out, _ := newTestServer(t)
	_, err := s.Handshake(context.Background(), &pulumirpc.LanguageHandshakeRequest{EngineAddress: "127.0.0.1:4242"})
	require.NoError(t, err)
	resp, err := s.Run(context.Background(), runRequest(project(t)))
	require.NoError(t, err)
	assert.Empty(t, resp.GetError())
	assert.Contains(t, out.String(), "PULUMI_ENGINE=127.0.0.1:4242\n")
}

func TestRunExitStatuses(t *testing.T) {
	s, _, _ := newTestServer(t)
	dir := project(t)

	bail, err := s.Run(context.Background(), runRequest(dir, "32"))
	require.NoError(t, err)
	assert.True(t, bail.GetBail(), "status 32 means the program already reported its error")

	failed, err := s.Run(context.Background(), runRequest(dir, "3"))
	require.NoError(t, err)
	assert.False(t, failed.GetBail())
	assert.Contains(t, failed.GetError(), "exited with status 3")
}

func TestCancelStopsARunningProgram(t *testing.T) {
	s, _, _ := newTestServer(t)
	dir := project(t)
	// Build first so the cancel hits the program, not the compiler.
	_, err := s.Run(context.Background(), runRequest(dir))
	require.NoError(t, err)

	done := make(chan *pulumirpc.RunResponse, 1)
	go func() {
		resp, _ := s.Run(context.Background(), runRequest(dir, "sleep"))
		done <- resp
	}()
	time.Sleep(500 * time.Millisecond)
	_, err = s.Cancel(context.Background(), &emptypb.Empty{})
	require.NoError(t, err)
	select {
	case resp := <-done:
		require.NotNil(t, resp)
		assert.Contains(t, resp.GetError(), "killed by signal interrupt")
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after Cancel")
	}
}

func TestRunShowsCompilerOutput(t *testing.T) {
	s, _, _ := newTestServer(t)
	dir := project(t)
	write(t, filepath.Join(dir, "main.go"), "package main\n\nfunc main() { notDefined() }\n")

	resp, err := s.Run(context.Background(), runRequest(dir))
	require.NoError(t, err)
	assert.False(t, resp.GetBail())
	assert.Contains(t, resp.GetError(), "undefined: notDefined")
	assert.Contains(t, resp.GetError(), "main.go:3")
}

func withOptions(t *testing.T, req *pulumirpc.RunRequest, opts map[string]any) *pulumirpc.RunRequest {
	st, err := structpb.NewStruct(opts)
	require.NoError(t, err)
	req.Info.Options = st
	return req
}

func TestRunPrebuiltBinaryOption(t *testing.T) {
	s, out, _ := newTestServer(t)
	dir := project(t)
	bin := filepath.Join(dir, "bin", "prog")
	build := exec.Command(s.goBin, "build", "-o", bin, ".")
	build.Dir = dir
	require.NoError(t, build.Run())
	// Break the sources: the prebuilt binary must run without a build.
	write(t, filepath.Join(dir, "main.go"), "package main\n\nfunc main() { broken( }\n")

	resp, err := s.Run(context.Background(), withOptions(t, runRequest(dir), map[string]any{"binary": "bin/prog"}))
	require.NoError(t, err)
	assert.Empty(t, resp.GetError())
	assert.Contains(t, out.String(), "PULUMI_STACK=dev\n")

	missing, err := s.Run(context.Background(), withOptions(t, runRequest(dir), map[string]any{"binary": "bin/nope"}))
	require.NoError(t, err)
	assert.Contains(t, missing.GetError(), "bin/nope")
}

func TestRunBuildTargetOption(t *testing.T) {
	s, _, _ := newTestServer(t)
	dir := project(t)
	resp, err := s.Run(context.Background(), withOptions(t, runRequest(dir), map[string]any{"buildTarget": "out/prog"}))
	require.NoError(t, err)
	assert.Empty(t, resp.GetError())
	assert.FileExists(t, filepath.Join(dir, "out", "prog"))
}

func TestRunRejectsUnknownOptions(t *testing.T) {
	s, out, _ := newTestServer(t)
	dir := project(t)
	resp, err := s.Run(context.Background(), withOptions(t, runRequest(dir), map[string]any{"toolchain": "gccgo"}))
	require.NoError(t, err)
	assert.Contains(t, resp.GetError(), "toolchain")
	assert.Empty(t, out.String(), "nothing ran")
}

func TestRunRefusesDebugger(t *testing.T) {
	s, _, _ := newTestServer(t)
	req := runRequest(project(t))
	req.AttachDebugger = true
	_, err := s.Run(context.Background(), req)
	assert.Equal(t, codes.Unimplemented, status.Code(err))
}

func TestGetRequiredPackagesReadsBuildList(t *testing.T) {
	s, _, _ := newTestServer(t)
	// A program whose build list holds a local replacement that carries plugin metadata.
	dir := t.TempDir()
	write(t, filepath.Join(dir, "prog/go.mod"), `module example.com/prog

go 1.26

require example.com/pulumi-widgets v1.4.0

replace example.com/pulumi-widgets => ../widgets
`)
	write(t, filepath.Join(dir, "prog/main.go"), "package main\n\nimport _ \"example.com/pulumi-widgets/go/widgets\"\n\nfunc main() {}\n")
	write(t, filepath.Join(dir, "widgets/go.mod"), "module example.com/pulumi-widgets\n\ngo 1.26\n")
	write(t, filepath.Join(dir, "widgets/go/widgets/widgets.go"), "package widgets\n")
	write(t, filepath.Join(dir, "widgets/go/widgets/pulumi-plugin.json"), `{"resource": true, "name": "widgets", "version": "1.4.0"}`)
	prog := filepath.Join(dir, "prog")

	resp, err := s.GetRequiredPackages(context.Background(), &pulumirpc.GetRequiredPackagesRequest{
		Info: &pulumirpc.ProgramInfo{RootDirectory: prog, ProgramDirectory: prog, EntryPoint: "."},
	})
	require.NoError(t, err)
	require.Len(t, resp.GetPackages(), 1)
	p := resp.GetPackages()[0]
	assert.Equal(t, "widgets", p.GetName())
	assert.Equal(t, "resource", p.GetKind())
	assert.Equal(t, "1.4.0", p.GetVersion())

	plugs, err := s.GetRequiredPlugins(context.Background(), &pulumirpc.GetRequiredPluginsRequest{
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: prog},
	})
	require.NoError(t, err)
	require.Len(t, plugs.GetPlugins(), 1)
	assert.Equal(t, "widgets", plugs.GetPlugins()[0].GetName())

	deps, err := s.GetProgramDependencies(context.Background(), &pulumirpc.GetProgramDependenciesRequest{
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: prog},
	})
	require.NoError(t, err)
	require.Len(t, deps.GetDependencies(), 1)
	assert.Equal(t, "example.com/pulumi-widgets", deps.GetDependencies()[0].GetName())
}

func TestCheapAndRefusedRPCs(t *testing.T) {
	s, _, _ := newTestServer(t)
	info, err := s.GetPluginInfo(context.Background(), &emptypb.Empty{})
	require.NoError(t, err)
	assert.Equal(t, "3.276.0", info.GetVersion())

	about, err := s.About(context.Background(), &pulumirpc.AboutRequest{})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(about.GetVersion(), "1."), about.GetVersion())

	_, err = s.GenerateProject(context.Background(), &pulumirpc.GenerateProjectRequest{})
	assert.Equal(t, codes.Unimplemented, status.Code(err))
	_, err = s.Pack(context.Background(), &pulumirpc.PackRequest{})
	assert.Equal(t, codes.Unimplemented, status.Code(err))
}

// fakeStream records what InstallDependencies streams back.
type fakeStream struct {
	grpc.ServerStream
	ctx  context.Context
	sent []*pulumirpc.InstallDependenciesResponse
}

func (f *fakeStream) Context() context.Context { return f.ctx }

func (f *fakeStream) Send(m *pulumirpc.InstallDependenciesResponse) error {
	f.sent = append(f.sent, m)
	return nil
}

func TestInstallDependenciesStreamsGoOutput(t *testing.T) {
	s, _, _ := newTestServer(t)
	dir := project(t)
	stream := &fakeStream{ctx: context.Background()}
	require.NoError(t, s.InstallDependencies(&pulumirpc.InstallDependenciesRequest{
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: dir},
	}, stream))

	write(t, filepath.Join(dir, "go.mod"), "module example.com/fake\n\nrequire (\n")
	stream = &fakeStream{ctx: context.Background()}
	err := s.InstallDependencies(&pulumirpc.InstallDependenciesRequest{
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: dir},
	}, stream)
	require.Error(t, err)
	var stderr strings.Builder
	for _, m := range stream.sent {
		stderr.Write(m.GetStderr())
	}
	assert.Contains(t, stderr.String(), "go.mod", "the go tool's complaint is streamed as stderr")
}
