// Command bench measures what the mesh costs and how fast the stack converges, on the local hosts, in one run:
// empty hosts → verified mesh, a no-op up, a one-intention change, Chroma latency direct vs through both
// sidecars, and the memory of every agent and proxy. It prints a table and writes JSON and a PNG chart.
//
// `make bench` runs it with fresh hosts and the hosts lock held; it destroys the stack before it returns.
// Figures are reported against targets, never asserted.
package main

import (
	"context"
	"embed"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
)

//go:embed scripts/*
var scripts embed.FS

// benchCollection is the collection the query benchmark reads; it is built once, through the mesh.
const benchCollection = "ragmesh-bench"

type options struct {
	root      string
	results   string
	documents int
	requests  int
	seconds   float64
	rounds    int
	keep      bool
	fresh     bool
}

func main() {
	var o options
	// Its own flag set: the Pulumi SDK registers logging flags on the global one, which -h would list.
	fs := flag.NewFlagSet(os.Args[0], flag.ExitOnError)
	fs.StringVar(&o.root, "root", ".", "repository root (the Pulumi project)")
	fs.StringVar(&o.results, "results", "results", "folder for the JSON and PNG results")
	fs.IntVar(&o.documents, "documents", 1000, "documents in the benchmark collection")
	fs.IntVar(&o.requests, "requests", 1000, "requests per path, kind and connection mode (also stops after -seconds)")
	fs.Float64Var(&o.seconds, "seconds", 20, "time limit per path, kind and connection mode")
	fs.IntVar(&o.rounds, "rounds", 4, "alternating direct/mesh rounds the requests are split into")
	fs.BoolVar(&o.keep, "keep", false, "leave the stack deployed (default: destroy it at the end)")
	fs.BoolVar(&o.fresh, "fresh-hosts", false, "the hosts were just started empty: drop any state stack local still holds")
	_ = fs.Parse(os.Args[1:]) // ExitOnError: a bad flag exits with the usage
	o.rounds = max(o.rounds, 1)
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(o options) (err error) {
	root, err := filepath.Abs(o.root)
	if err != nil {
		return err
	}
	ctx := context.Background()
	h := newHosts(root)
	stack, err := auto.UpsertStackLocalSource(ctx, "local", root)
	if err != nil {
		return err
	}
	if n, err := resourceCount(ctx, stack); err != nil {
		return err
	} else if n > 0 && o.fresh {
		// State left by a run that stopped before its destroy describes hosts that no longer exist.
		step("dropping stale state of stack local (%d resources)", n)
		rm := exec.Command("pulumi", "stack", "rm", "--yes", "--force", "--preserve-config", "local")
		rm.Dir, rm.Stderr = root, os.Stderr
		if err := rm.Run(); err != nil {
			return fmt.Errorf("removing stale state: %w", err)
		}
		if stack, err = auto.UpsertStackLocalSource(ctx, "local", root); err != nil {
			return err
		}
	} else if n > 0 {
		return fmt.Errorf("stack local already has %d resources from an earlier run: `make demo-down` first", n)
	}
	key, err := os.ReadFile(filepath.Join(root, ".cache/hosts/id_ed25519"))
	if err != nil {
		return fmt.Errorf("%w: the hosts are not up (make bench starts them)", err)
	}
	if err := stack.SetConfig(ctx, "ragmesh:sshPrivateKey", auto.ConfigValue{Value: string(key), Secret: true}); err != nil {
		return err
	}
	defer func() {
		if !o.keep {
			step("destroying the stack")
			if _, derr := stack.Destroy(ctx, optdestroy.ProgressStreams(os.Stderr)); derr != nil && err == nil {
				err = derr
			}
		}
		// Leave the stack file as committed: the key is set per run.
		_ = stack.RemoveConfig(ctx, "ragmesh:sshPrivateKey")
		_ = stack.RemoveConfig(ctx, "ragmesh:intentions")
	}()

	r := &Result{Date: time.Now().UTC().Format(time.RFC3339), Machine: describeMachine()}
	if r.Converge, err = converge(ctx, stack, h); err != nil {
		return err
	}
	step("building the benchmark collection (%d documents) through the mesh", o.documents)
	if r.Collection, err = h.seed(o.documents); err != nil {
		return err
	}
	r.Machine.Load = loadAverage()
	for _, kind := range []string{"heartbeat", "query"} {
		for _, mode := range []string{"new", "pooled"} {
			step("latency: %s over %s connections, direct and mesh in %d alternating rounds", kind, mode, o.rounds)
			runs := map[string][]sampleRun{}
			// Alternating rounds spread any load from elsewhere on the machine over both paths alike.
			for i := range o.rounds {
				order := []string{PathDirect, PathMesh}
				if i%2 == 1 {
					order = []string{PathMesh, PathDirect}
				}
				for _, path := range order {
					x, err := h.latency(path, kind, mode, o.requests/o.rounds, o.seconds/float64(o.rounds))
					if err != nil {
						return err
					}
					runs[path] = append(runs[path], x)
				}
			}
			for _, path := range []string{PathDirect, PathMesh} {
				r.Latency = append(r.Latency, summarize(path, kind, mode, runs[path]))
			}
		}
	}
	step("memory of agents and proxies")
	if r.Memory, err = h.memory(); err != nil {
		return err
	}
	r.evaluate()

	if err := os.MkdirAll(o.results, 0o755); err != nil {
		return err
	}
	base := filepath.Join(o.results, "bench-"+time.Now().UTC().Format("20060102-150405"))
	if err := r.writeJSON(base + ".json"); err != nil {
		return err
	}
	if err := writePNG(r, base+".png"); err != nil {
		return err
	}
	fmt.Println()
	r.printTable(os.Stdout)
	fmt.Printf("\nwritten: %s.json, %s.png\n", base, base)
	return nil
}

// step prints progress to stderr, so stdout holds only the table.
func step(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}
