package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/ragmesh/ragmesh/app"
	"github.com/ragmesh/ragmesh/provisioners"
)

// Where a latency client runs and what it dials.
const (
	PathDirect = "direct" // on the chroma host, to Chroma on its loopback
	PathMesh   = "mesh"   // on the app host, through both sidecars
)

var clientPlacement = map[string]struct{ host, address string }{
	PathDirect: {"chroma", fmt.Sprintf("127.0.0.1:%d", provisioners.ChromaPort)},
	PathMesh:   {"app", app.UpstreamAddress},
}

// hosts runs scripts on the local hosts over SSH.
type hosts struct {
	root string
	// chromaAddress is the chroma host's private address, from the stack outputs.
	chromaAddress string
}

func newHosts(root string) *hosts { return &hosts{root: root} }

// run feeds a script (one of ours, or a path in the repository) on stdin to an interpreter on a host and
// returns its stdout.
func (h *hosts) run(host, interpreter, script string, args ...string) (string, error) {
	body, err := scripts.ReadFile(script)
	if err != nil {
		body, err = os.ReadFile(filepath.Join(h.root, script))
	}
	if err != nil {
		return "", err
	}
	remote := interpreter + " -"
	for _, a := range args {
		remote += " " + shellQuote(a)
	}
	cmd := exec.Command("ssh", "-F", filepath.Join(h.root, ".cache/hosts/ssh_config"), host, remote)
	cmd.Stdin = strings.NewReader(string(body))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), fmt.Errorf("%s on %s: %w\n%s%s", script, host, err, out, stderr.String())
	}
	return string(out), nil
}

// verify is the demo's mesh check, run from the app host.
func (h *hosts) verify() error {
	out, err := h.run("app", "python3", "tests/scripts/verify-mesh.py", h.chromaAddress)
	if err != nil {
		return fmt.Errorf("mesh verification failed: %w", err)
	}
	var r struct{ OK bool }
	if err := json.Unmarshal([]byte(lastLine(out)), &r); err != nil || !r.OK {
		return fmt.Errorf("mesh verification failed: %s", out)
	}
	return nil
}

// Collection describes the benchmark collection as built.
type Collection struct {
	Name      string  `json:"collection"`
	Documents int     `json:"documents"`
	Dim       int     `json:"dim"`
	Seconds   float64 `json:"seconds"`
}

func (h *hosts) seed(documents int) (Collection, error) {
	var c Collection
	out, err := h.run("app", "python3", "scripts/seed.py", "http://"+app.UpstreamAddress, benchCollection, strconv.Itoa(documents))
	if err != nil {
		return c, err
	}
	return c, json.Unmarshal([]byte(lastLine(out)), &c)
}

// Latency is one measured run of one kind of request over one path.
type Latency struct {
	Path     string  `json:"path"`
	Kind     string  `json:"kind"`
	Mode     string  `json:"mode"`
	Requests int     `json:"requests"`
	P50      float64 `json:"p50_ms"`
	P95      float64 `json:"p95_ms"`
	P99      float64 `json:"p99_ms"`
	Max      float64 `json:"max_ms"`
	RPS      float64 `json:"rps"`
	Seconds  float64 `json:"seconds"`
}

// sampleRun is one run of latency.py: every sample in milliseconds and the run's wall time.
type sampleRun struct {
	Samples []float64 `json:"samples_ms"`
	Seconds float64   `json:"seconds"`
}

func (h *hosts) latency(path, kind, mode string, requests int, seconds float64) (sampleRun, error) {
	p := clientPlacement[path]
	out, err := h.run(p.host, "python3", "scripts/latency.py", p.address, benchCollection, kind, mode,
		strconv.Itoa(requests), strconv.FormatFloat(seconds, 'f', -1, 64))
	var r sampleRun
	if err != nil {
		return r, err
	}
	return r, json.Unmarshal([]byte(lastLine(out)), &r)
}

// summarize merges the runs of one path, kind and mode into percentiles and a request rate.
func summarize(path, kind, mode string, runs []sampleRun) Latency {
	l := Latency{Path: path, Kind: kind, Mode: mode}
	var all []float64
	for _, r := range runs {
		all = append(all, r.Samples...)
		l.Seconds += r.Seconds
	}
	if len(all) == 0 {
		return l
	}
	sort.Float64s(all)
	l.Requests = len(all)
	l.P50, l.P95, l.P99 = percentile(all, 50), percentile(all, 95), percentile(all, 99)
	l.Max = all[len(all)-1]
	if l.Seconds > 0 {
		l.RPS = round(float64(l.Requests)/l.Seconds, 1)
	}
	l.Seconds = round(l.Seconds, 3)
	return l
}

// percentile is the nearest-rank percentile of sorted values.
func percentile(sorted []float64, p float64) float64 {
	k := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(k, 0)]
}

// Memory is the resident memory of one agent or proxy.
type Memory struct {
	Host string  `json:"host"`
	Unit string  `json:"unit"`
	MiB  float64 `json:"rss_mib"`
}

func (h *hosts) memory() ([]Memory, error) {
	var all []Memory
	for _, host := range []string{"consul", "app", "chroma"} {
		out, err := h.run(host, "bash", "scripts/rss.sh")
		if err != nil {
			return nil, err
		}
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			f := strings.Fields(line)
			if len(f) != 2 {
				continue
			}
			kib, err := strconv.Atoi(f[1])
			if err != nil {
				return nil, fmt.Errorf("rss on %s: %q", host, line)
			}
			all = append(all, Memory{Host: host, Unit: strings.TrimSuffix(f[0], ".service"), MiB: float64(kib) / 1024})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Host < all[j].Host })
	return all, nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
