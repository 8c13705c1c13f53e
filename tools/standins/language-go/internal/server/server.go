// Package server implements the engine-facing LanguageRuntime service for Go programs:
// it reports the plugins a program needs, builds the program and runs it against the engine.
package server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	"ragmesh.local/tools/standins/language-go/internal/build"
	"ragmesh.local/tools/standins/language-go/internal/plugins"
	"ragmesh.local/tools/standins/language-go/internal/runenv"
)

// Version is what GetPluginInfo reports: the SDK release this host was written against.
const Version = "3.276.0"

// exitBail is the exit status pulumi.Run uses after it has already reported the error
// through the engine (constant.ExitStatusLoggedError in the SDK).
const exitBail = 32

// Options supported in Pulumi.yaml under runtime.options.
const (
	optBinary      = "binary"
	optBuildTarget = "buildTarget"
)

// Server is the LanguageRuntime implementation.
type Server struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	goBin   string
	builder build.Builder
	// Stdout and Stderr receive the program's and the go tool's output; the engine reads both
	// streams of this process and shows them to the user.
	stdout io.Writer
	stderr io.Writer

	mu            sync.Mutex
	engineAddress string
	cancel        context.CancelFunc
	ctx           context.Context
}

// New returns a server that talks to the engine at engineAddress (may be empty until
// Handshake) and keeps built programs in cacheDir.
func New(engineAddress, goBin, cacheDir string, stdout, stderr io.Writer) *Server {
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{
		goBin:         goBin,
		builder:       build.Builder{GoBin: goBin, CacheDir: cacheDir},
		stdout:        stdout,
		stderr:        stderr,
		engineAddress: engineAddress,
		ctx:           ctx,
		cancel:        cancel,
	}
}

func (s *Server) engine() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.engineAddress
}

// Handshake records the engine address; the engine sends it only when it attaches to an
// already running host, otherwise the address arrives as the first command-line argument.
func (s *Server) Handshake(_ context.Context, req *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if req.GetEngineAddress() != "" {
		s.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// GetPluginInfo reports this host's version.
func (s *Server) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: Version}, nil
}

// programDir picks the directory holding the program's main package.
func programDir(info *pulumirpc.ProgramInfo, pwd string) (string, error) {
	dir := info.GetProgramDirectory()
	if dir == "" {
		dir = pwd
	}
	if dir == "" {
		return "", status.Error(codes.InvalidArgument, "request names no program directory")
	}
	return dir, nil
}

func (s *Server) requiredPlugins(ctx context.Context, info *pulumirpc.ProgramInfo, pwd string) ([]plugins.Plugin, error) {
	dir, err := programDir(info, pwd)
	if err != nil {
		return nil, err
	}
	mods, err := plugins.ListModules(ctx, s.goBin, dir)
	if err != nil {
		return nil, err
	}
	return plugins.FromModules(mods)
}

// GetRequiredPackages reports a package for every pulumi-plugin.json in the build list.
func (s *Server) GetRequiredPackages(ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	found, err := s.requiredPlugins(ctx, req.GetInfo(), "")
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.GetRequiredPackagesResponse{}
	for _, p := range found {
		resp.Packages = append(resp.Packages, &pulumirpc.PackageDependency{
			Name:             p.Name,
			Kind:             "resource",
			Version:          p.Version,
			Server:           p.Server,
			Parameterization: toParam(p.Parameterization),
			Extension:        toParam(p.Extension),
		})
	}
	return resp, nil
}

func toParam(p *plugins.Parameterization) *pulumirpc.PackageParameterization {
	if p == nil {
		return nil
	}
	return &pulumirpc.PackageParameterization{Name: p.Name, Version: p.Version, Value: p.Value}
}

// GetRequiredPlugins is the older form of GetRequiredPackages, without parameterization.
func (s *Server) GetRequiredPlugins(ctx context.Context, req *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	found, err := s.requiredPlugins(ctx, req.GetInfo(), req.GetPwd()) //nolint:staticcheck // older engines send only Pwd
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.GetRequiredPluginsResponse{}
	seen := map[string]bool{}
	for _, p := range found {
		if seen[p.Name+"@"+p.Version] {
			continue
		}
		seen[p.Name+"@"+p.Version] = true
		resp.Plugins = append(resp.Plugins, &pulumirpc.PluginDependency{
			Name: p.Name, Kind: "resource", Version: p.Version, Server: p.Server,
		})
	}
	return resp, nil
}

// runOptions are the runtime.options of Pulumi.yaml this host understands.
type runOptions struct {
	binary      string
	buildTarget string
}

func parseOptions(info *pulumirpc.ProgramInfo) (runOptions, error) {
	var o runOptions
	var unknown []string
	for k, v := range info.GetOptions().AsMap() {
		str, isString := v.(string)
		switch k {
		case optBinary:
			o.binary = str
		case optBuildTarget:
			o.buildTarget = str
		default:
			unknown = append(unknown, k)
			continue
		}
		if !isString {
			return o, fmt.Errorf("runtime option %q must be a string, got %T", k, v)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return o, fmt.Errorf("runtime options %v are not supported by this Go language host (supported: %s, %s)",
			unknown, optBinary, optBuildTarget)
	}
	if o.binary != "" && o.buildTarget != "" {
		return o, fmt.Errorf("runtime options %s and %s exclude each other", optBinary, optBuildTarget)
	}
	return o, nil
}

// buildTargetFor turns the program's entry point into a go build package argument.
func buildTargetFor(entry string) string {
	if entry == "" || entry == "." {
		return "."
	}
	if filepath.IsAbs(entry) {
		return entry
	}
	return "./" + filepath.ToSlash(filepath.Clean(entry))
}

func resolve(base, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(base, p)
}

// binaryFor returns the executable to run: a prebuilt one named in Pulumi.yaml, or one built
// from source. A build failure is returned as *build.Error.
func (s *Server) binaryFor(ctx context.Context, info *pulumirpc.ProgramInfo, dir string) (string, error) {
	opts, err := parseOptions(info)
	if err != nil {
		return "", err
	}
	if opts.binary != "" {
		bin := resolve(dir, opts.binary)
		st, err := os.Stat(bin)
		if err != nil {
			return "", fmt.Errorf("runtime option binary: %w", err)
		}
		if st.IsDir() || st.Mode()&0o111 == 0 {
			return "", fmt.Errorf("runtime option binary: %s is not an executable file", bin)
		}
		return bin, nil
	}
	target := buildTargetFor(info.GetEntryPoint())
	if opts.buildTarget != "" {
		out := resolve(dir, opts.buildTarget)
		if err := s.builder.Compile(ctx, dir, target, out); err != nil {
			return "", err
		}
		return out, nil
	}
	res, err := s.builder.Build(ctx, dir, target)
	if err != nil {
		return "", err
	}
	return res.Path, nil
}

// Run builds (or reuses) the program and runs it with the environment pulumi.Run reads.
// A program that reported its own error through the engine (exit status 32) is a bail.
func (s *Server) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	if req.GetAttachDebugger() {
		return nil, status.Error(codes.Unimplemented, "this Go language host cannot attach a debugger")
	}
	info := req.GetInfo()
	if info == nil {
		info = &pulumirpc.ProgramInfo{ProgramDirectory: req.GetPwd(), EntryPoint: req.GetProgram()} //nolint:staticcheck
	}
	dir, err := programDir(info, req.GetPwd())
	if err != nil {
		return nil, err
	}

	runCtx, stop := s.merged(ctx)
	defer stop()
	bin, err := s.binaryFor(runCtx, info, dir)
	if err != nil {
		if be, ok := errors.AsType[*build.Error](err); ok {
			return &pulumirpc.RunResponse{Error: be.Error()}, nil
		}
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	root := info.GetRootDirectory()
	if root == "" {
		root = dir
	}
	vars, err := runenv.Settings{
		Organization:     req.GetOrganization(),
		Project:          req.GetProject(),
		RootDirectory:    root,
		Stack:            req.GetStack(),
		Config:           req.GetConfig(),
		ConfigSecretKeys: req.GetConfigSecretKeys(),
		Parallel:         req.GetParallel(),
		DryRun:           req.GetDryRun(),
		MonitorAddress:   req.GetMonitorAddress(),
		EngineAddress:    s.engine(),
	}.Vars()
	if err != nil {
		return nil, err
	}

	pwd := req.GetPwd()
	if pwd == "" {
		pwd = dir
	}
	cmd := exec.CommandContext(runCtx, bin, req.GetArgs()...)
	cmd.Dir = pwd
	cmd.Env = runenv.Merge(os.Environ(), vars)
	cmd.Stdout, cmd.Stderr = s.stdout, s.stderr
	// On cancellation ask the program to stop first; pulumi.Run unwinds on SIGINT.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second

	err = cmd.Run()
	if err == nil {
		return &pulumirpc.RunResponse{}, nil
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		if exitErr.ExitCode() == exitBail {
			return &pulumirpc.RunResponse{Bail: true, Error: "program reported an error (exit status 32)"}, nil
		}
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Go program in %s was killed by signal %v", dir, ws.Signal())}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Go program in %s exited with status %d (binary %s)",
			dir, exitErr.ExitCode(), bin)}, nil
	}
	return &pulumirpc.RunResponse{Error: fmt.Sprintf("running Go program in %s (binary %s): %v", dir, bin, err)}, nil
}

// merged is ctx that is also cancelled by Cancel.
func (s *Server) merged(ctx context.Context) (context.Context, context.CancelFunc) {
	c, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.ctx, cancel)
	return c, func() { stop(); cancel() }
}

// Cancel stops running builds and programs.
func (s *Server) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	s.cancel()
	return &emptypb.Empty{}, nil
}

// InstallDependencies runs `go mod download` in the program directory, streaming its output.
func (s *Server) InstallDependencies(req *pulumirpc.InstallDependenciesRequest,
	stream grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	dir, err := programDir(req.GetInfo(), req.GetDirectory()) //nolint:staticcheck
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(stream.Context(), s.goBin, "mod", "download")
	cmd.Dir = dir
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	var sendMu sync.Mutex
	send := func(r io.Reader, toErr bool, wg *sync.WaitGroup) {
		defer wg.Done()
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			line := append(bytes.Clone(sc.Bytes()), '\n')
			msg := &pulumirpc.InstallDependenciesResponse{Stdout: line}
			if toErr {
				msg = &pulumirpc.InstallDependenciesResponse{Stderr: line}
			}
			sendMu.Lock()
			_ = stream.Send(msg)
			sendMu.Unlock()
		}
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go send(stdout, false, &wg)
	go send(stderr, true, &wg)
	wg.Wait()
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("go mod download in %s: %w", dir, err)
	}
	return nil
}

// About reports the go toolchain that builds programs.
func (s *Server) About(ctx context.Context, _ *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	out, err := exec.CommandContext(ctx, s.goBin, "env", "GOVERSION").Output()
	if err != nil {
		return nil, fmt.Errorf("go env GOVERSION: %w", err)
	}
	return &pulumirpc.AboutResponse{
		Executable: s.goBin,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "go"),
		Metadata:   map[string]string{"host": "offline stand-in", "os": runtime.GOOS, "arch": runtime.GOARCH},
	}, nil
}

// GetProgramDependencies lists the program's modules (direct ones unless transitive is asked).
func (s *Server) GetProgramDependencies(ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir, err := programDir(req.GetInfo(), req.GetPwd()) //nolint:staticcheck
	if err != nil {
		return nil, err
	}
	mods, err := plugins.ListModules(ctx, s.goBin, dir)
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.GetProgramDependenciesResponse{}
	for _, m := range mods {
		if m.Main || (m.Indirect && !req.GetTransitiveDependencies()) {
			continue
		}
		resp.Dependencies = append(resp.Dependencies, &pulumirpc.DependencyInfo{Name: m.Path, Version: m.Version})
	}
	return resp, nil
}

// RuntimeOptionsPrompts has nothing to ask: Go programs need no runtime choices.
func (s *Server) RuntimeOptionsPrompts(context.Context, *pulumirpc.RuntimeOptionsRequest) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

// Template has nothing to rewrite in a Go project template.
func (s *Server) Template(context.Context, *pulumirpc.TemplateRequest) (*pulumirpc.TemplateResponse, error) {
	return &pulumirpc.TemplateResponse{}, nil
}

func refused(what string) error {
	return status.Errorf(codes.Unimplemented,
		"%s is not supported by the offline Go language host stand-in (install the real pulumi-language-go)", what)
}

// RunPlugin is refused: plugins written in Go are run as prebuilt binaries here.
func (s *Server) RunPlugin(*pulumirpc.RunPluginRequest, grpc.ServerStreamingServer[pulumirpc.RunPluginResponse]) error {
	return refused("RunPlugin")
}

// GenerateProgram is refused (no code generation in the stand-in).
func (s *Server) GenerateProgram(context.Context, *pulumirpc.GenerateProgramRequest) (*pulumirpc.GenerateProgramResponse, error) {
	return nil, refused("GenerateProgram")
}

// GenerateProject is refused (no code generation in the stand-in).
func (s *Server) GenerateProject(context.Context, *pulumirpc.GenerateProjectRequest) (*pulumirpc.GenerateProjectResponse, error) {
	return nil, refused("GenerateProject")
}

// GeneratePackage is refused (no SDK generation in the stand-in).
func (s *Server) GeneratePackage(context.Context, *pulumirpc.GeneratePackageRequest) (*pulumirpc.GeneratePackageResponse, error) {
	return nil, refused("GeneratePackage")
}

// Pack is refused (no SDK packing in the stand-in).
func (s *Server) Pack(context.Context, *pulumirpc.PackRequest) (*pulumirpc.PackResponse, error) {
	return nil, refused("Pack")
}

// Link is refused (no local SDK linking in the stand-in).
func (s *Server) Link(context.Context, *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	return nil, refused("Link")
}
