// Command pulumi-language-go is an offline stand-in for Pulumi's Go language host: the engine
// starts it with its own gRPC address as the only argument, reads the port it prints on
// stdout, and then asks it over gRPC to list plugins and to build and run the Go program.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"

	"ragmesh.local/tools/standins/language-go/internal/server"
)

// cacheEnv overrides where built programs are kept.
const cacheEnv = "LANGUAGE_GO_STANDIN_CACHE"

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-go (stand-in): %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	// The engine passes flags such as -tracing or -root to some language hosts; accept and
	// ignore the ones the real Go host knows so an engine change does not break startup.
	flag.String("tracing", "", "ignored: tracing endpoint")
	flag.String("root", "", "ignored: project root (sent per request)")
	flag.String("binary", "", "ignored: use runtime.options.binary in Pulumi.yaml")
	flag.String("buildTarget", "", "ignored: use runtime.options.buildTarget in Pulumi.yaml")
	version := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *version {
		fmt.Println(server.Version)
		return nil
	}

	engineAddress := ""
	if flag.NArg() > 0 {
		engineAddress = flag.Arg(0)
	}

	goBin, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("the go toolchain is needed to build Go programs: %w", err)
	}
	cacheDir, err := cacheDir()
	if err != nil {
		return err
	}

	srv := server.New(engineAddress, goBin, cacheDir, os.Stdout, os.Stderr)
	cancel := make(chan bool)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(s *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(s, srv)
			return nil
		},
	})
	if err != nil {
		return err
	}

	// The port line must be the first thing on stdout: the engine reads it byte by byte.
	fmt.Printf("%d\n", handle.Port)

	stop := sync.OnceFunc(func() { close(cancel) })
	// Stop when the engine goes away, so an aborted CLI leaves no host behind.
	if engineAddress != "" {
		if err := rpcutil.Healthcheck(context.Background(), engineAddress, 30*time.Second, stop); err != nil {
			return err
		}
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM)
	go func() {
		<-sigs
		stop()
	}()

	return <-handle.Done
}

func cacheDir() (string, error) {
	if d := os.Getenv(cacheEnv); d != "" {
		return filepath.Abs(d)
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory for built programs (set %s): %w", cacheEnv, err)
	}
	return filepath.Join(base, "pulumi-language-go-standin"), nil
}
