package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Result is everything one run measured; it is written as JSON as is.
type Result struct {
	Date       string     `json:"date"`
	Machine    Machine    `json:"machine"`
	Converge   Converge   `json:"converge"`
	Collection Collection `json:"collection"`
	Latency    []Latency  `json:"latency"`
	Ratios     []Ratio    `json:"mesh_vs_direct"`
	Memory     []Memory   `json:"memory"`
	Targets    []Target   `json:"targets"`
}

// Machine is what the figures were measured on.
type Machine struct {
	CPUs      int     `json:"cpus"`
	CPUModel  string  `json:"cpu_model"`
	MemoryGiB float64 `json:"memory_gib"`
	Kernel    string  `json:"kernel"`
	Go        string  `json:"go"`
	// Load is the 1-minute load average when the latency runs began: anything else running skews them.
	Load float64 `json:"load_average_1m"`
}

func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

// Ratio compares the mesh path with the direct one for one kind of request.
type Ratio struct {
	Kind     string  `json:"kind"`
	Mode     string  `json:"mode"`
	P50      float64 `json:"p50_ratio"`
	P99Extra float64 `json:"p99_extra_ms"`
	RPS      float64 `json:"rps_ratio"`
}

// Target is one goal the figures are reported against; it is never asserted.
type Target struct {
	Name string `json:"name"`
	Goal string `json:"goal"`
	Got  string `json:"got"`
	Met  bool   `json:"met"`
}

func describeMachine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), Go: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
				kib, _ := strconv.ParseFloat(f[1], 64)
				m.MemoryGiB = round(kib/(1024*1024), 1)
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	return m
}

// find returns the latency run of one path, kind and mode.
func (r *Result) find(path, kind, mode string) (Latency, bool) {
	for _, l := range r.Latency {
		if l.Path == path && l.Kind == kind && l.Mode == mode {
			return l, true
		}
	}
	return Latency{}, false
}

// evaluate derives the mesh/direct ratios and checks every target.
func (r *Result) evaluate() {
	r.Ratios = nil
	for _, l := range r.Latency {
		if l.Path != PathDirect {
			continue
		}
		m, ok := r.find(PathMesh, l.Kind, l.Mode)
		if !ok || l.P50 == 0 || l.RPS == 0 {
			continue
		}
		r.Ratios = append(r.Ratios, Ratio{Kind: l.Kind, Mode: l.Mode, P50: round(m.P50/l.P50, 2),
			P99Extra: round(m.P99-l.P99, 3), RPS: round(m.RPS/l.RPS, 2)})
	}
	c := r.Converge
	r.Targets = nil
	add := func(name, goal, got string, met bool) {
		r.Targets = append(r.Targets, Target{Name: name, Goal: goal, Got: got, Met: met})
	}
	d, okD := r.find(PathDirect, "query", "pooled")
	m, okM := r.find(PathMesh, "query", "pooled")
	if okD && okM {
		add("pooled query p50, mesh vs direct", "≤ 1.30×", fmt.Sprintf("%.2f× (%.2f vs %.2f ms)", m.P50/d.P50, m.P50, d.P50), m.P50 <= 1.3*d.P50)
		add("pooled query p99, mesh vs direct", "≤ direct + 1 ms", fmt.Sprintf("%+.2f ms (%.2f vs %.2f ms)", m.P99-d.P99, m.P99, d.P99), m.P99 <= d.P99+1)
	}
	add("empty hosts → verified mesh", "≤ 180 s", fmt.Sprintf("%.1f s", c.FreshTotalSeconds), c.FreshTotalSeconds <= 180)
	share := 0.0
	if c.FreshTotalSeconds > 0 {
		share = c.Noop.Seconds / c.FreshTotalSeconds
	}
	add("no-op up", "≤ 15 % of empty → verified", fmt.Sprintf("%.1f s = %.0f %%", c.Noop.Seconds, 100*share), share <= 0.15)
	add("no-op up: remote commands run", "0", strconv.Itoa(c.Noop.RemoteCommands), c.Noop.RemoteCommands == 0)
	add("one-intention change: resources changed", "1 (add), 1 (remove)",
		fmt.Sprintf("%d (add), %d (remove)%s", c.IntentionAdd.Changed(), c.IntentionRemove.Changed(), selfCheckNote(c.IntentionAdd, c.IntentionRemove)),
		c.IntentionAdd.Changed() == 1 && c.IntentionRemove.Changed() == 1)
}

// selfCheckNote says when the self-check ran again besides the change.
func selfCheckNote(us ...Update) string {
	n := 0
	for _, u := range us {
		n += u.SelfCheck
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" + self-check re-run %d×", n)
}

// touched prints an update's touched resources, the self-check's re-runs apart.
func touched(u Update) string {
	if u.SelfCheck == 0 {
		return strconv.Itoa(u.Touched)
	}
	return fmt.Sprintf("%d + %d self-check", u.Changed(), u.SelfCheck)
}

func (r *Result) writeJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// printTable writes the human-readable report: machine, deployment, latency, memory, targets.
func (r *Result) printTable(out io.Writer) {
	m := r.Machine
	fmt.Fprintf(out, "ragmesh bench — %s — %d CPUs (%s), %.1f GiB, kernel %s, load %.2f when the latency runs began\n\n",
		r.Date, m.CPUs, m.CPUModel, m.MemoryGiB, m.Kernel, m.Load)

	c := r.Converge
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "deployment\tseconds\tresources touched\tremote commands run")
	fmt.Fprintf(w, "empty hosts → pulumi up\t%.1f\t%s\t%d\n", c.Fresh.Seconds, touched(c.Fresh), c.Fresh.RemoteCommands)
	fmt.Fprintf(w, "  + mesh verification\t%.1f\t\t\n", c.VerifySeconds)
	fmt.Fprintf(w, "  = empty → verified mesh\t%.1f\t\t\n", c.FreshTotalSeconds)
	fmt.Fprintf(w, "no-op pulumi up\t%.1f\t%s\t%d\n", c.Noop.Seconds, touched(c.Noop), c.Noop.RemoteCommands)
	fmt.Fprintf(w, "add one intention\t%.1f\t%s\t%d\n", c.IntentionAdd.Seconds, touched(c.IntentionAdd), c.IntentionAdd.RemoteCommands)
	fmt.Fprintf(w, "remove it\t%.1f\t%s\t%d\n", c.IntentionRemove.Seconds, touched(c.IntentionRemove), c.IntentionRemove.RemoteCommands)
	_ = w.Flush()

	fmt.Fprintf(out, "\nChroma latency (collection %q: %d documents, %d-dim; direct = client on the chroma host → 127.0.0.1:8000,\n"+
		"mesh = client on the app host → 127.0.0.1:8001 → both sidecars)\n", r.Collection.Name, r.Collection.Documents, r.Collection.Dim)
	w = tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "request\tconnection\tpath\tn\tp50 ms\tp95 ms\tp99 ms\treq/s\t")
	for _, l := range r.Latency {
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%.2f\t%.2f\t%.2f\t%.0f\t\n", l.Kind, l.Mode, l.Path, l.Requests, l.P50, l.P95, l.P99, l.RPS)
	}
	_ = w.Flush()
	fmt.Fprintln(out)
	w = tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "mesh / direct\tconnection\tp50 ratio\tp99 extra ms\treq/s ratio\t")
	for _, x := range r.Ratios {
		fmt.Fprintf(w, "%s\t%s\t%.2f×\t%+.2f\t%.2f×\t\n", x.Kind, x.Mode, x.P50, x.P99Extra, x.RPS)
	}
	_ = w.Flush()

	fmt.Fprintln(out, "\nresident memory")
	w = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, x := range r.Memory {
		fmt.Fprintf(w, "%s\t%s\t%.1f MiB\n", x.Host, x.Unit, x.MiB)
	}
	_ = w.Flush()

	fmt.Fprintln(out, "\ntargets (reported, not asserted)")
	w = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, t := range r.Targets {
		verdict := "met"
		if !t.Met {
			verdict = "MISSED"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", t.Name, t.Goal, t.Got, verdict)
	}
	_ = w.Flush()
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}
