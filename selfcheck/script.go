// Package selfcheck proves, as part of every update that changes the mesh, that the path from each app host to
// ChromaDB works and that the denies hold, and names the first broken hop when they do not. The checks are one
// on-host script (templates/selfcheck.py.tmpl): the stack runs it in `check` mode, operators run it in
// `diagnose` mode through cmd/diagnose, so the failure message of `pulumi up` and `make diagnose` agree.
package selfcheck

import (
	"embed"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"

	"github.com/ragmesh/ragmesh/config"
	"github.com/ragmesh/ragmesh/render"
)

//go:embed templates/*.tmpl
var templateFiles embed.FS

var templates = render.Parse(templateFiles, template.FuncMap{
	// json renders a value as a JSON literal, which is also a valid Python literal for strings and lists.
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
})

// ScriptName is the template of the on-host check.
const ScriptName = "selfcheck.py.tmpl"

// Command runs the rendered script (arriving on stdin) as root in the given mode: "check" or "diagnose".
func Command(mode string) string { return "sudo -n /usr/bin/env python3 - " + mode }

// ProbeService is the caller identity no intention allows; the check proves it is refused.
const ProbeService = "ragmesh-probe"

// DefaultRetrySeconds is how long `check` waits for freshly (re)started pieces to settle: a new sidecar needs a
// few seconds to see a healthy instance, and Consul's checks run every 5-10 s.
const DefaultRetrySeconds = 30

// Params is everything the script knows about the mesh, as seen from one app host.
type Params struct {
	// Host is the app host the script runs on; Nodes are the Consul node names of every host, Servers those of
	// the Consul servers.
	Host    string   `json:"host"`
	Nodes   []string `json:"nodes"`
	Servers []string `json:"servers"`
	// ConsulSocket is the agent API's unix socket, used when it exists; ConsulHTTP otherwise.
	ConsulSocket string `json:"consulSocket"`
	ConsulHTTP   string `json:"consulHttp"`
	// TokenFiles are tried in order for a Consul token (none exists before ACLs, and none is needed then).
	TokenFiles      []string `json:"tokenFiles"`
	AppServiceID    string   `json:"appServiceId"`
	UpstreamPort    int      `json:"upstreamPort"`
	Source          string   `json:"source"`
	Destination     string   `json:"destination"`
	ChromaNode      string   `json:"chromaNode"`
	ChromaServiceID string   `json:"chromaServiceId"`
	ChromaAddress   string   `json:"chromaAddress"`
	ChromaPort      int      `json:"chromaPort"`
	ChromaUnit      string   `json:"chromaUnit"`
	HealthPath      string   `json:"healthPath"`
	// ExpectAllowed is whether stack config allows Source -> Destination; without it, "denied" is the pass.
	ExpectAllowed bool `json:"expectAllowed"`
	// StackAllowDescription is the description of the stack's own allow sources (mesh package).
	StackAllowDescription string `json:"stackAllowDescription"`
	ProbeService          string `json:"probeService"`
	RetrySeconds          int    `json:"retrySeconds"`
}

// Render fills the on-host script for one app host.
func Render(p Params) (string, error) {
	if p.Host == "" || p.ChromaAddress == "" || len(p.Nodes) == 0 {
		return "", fmt.Errorf("selfcheck: host, chroma address and nodes are required")
	}
	return templates.Render(ScriptName, p)
}

// Allowed reports whether the configured intentions allow source to call destination.
func Allowed(intentions []config.Intention, source, destination string) bool {
	for _, i := range intentions {
		if i.Source == source && i.Destination == destination {
			return true
		}
	}
	return false
}

// Hop is one step of the diagnosis as the script reports it.
type Hop struct {
	Hop    int      `json:"hop"`
	Name   string   `json:"name"`
	Title  string   `json:"title"`
	Status string   `json:"status"` // ok, broken or unknown
	Host   string   `json:"host,omitempty"`
	Detail string   `json:"detail"`
	Next   []string `json:"next,omitempty"`
}

// Check is one promise of the path: what was expected and whether it held.
type Check struct {
	Name   string `json:"name"`
	Expect string `json:"expect"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// Result is what one run of the script found. Finding is the first broken hop (Hop 1-5) or failed path
// check (Hop 0), nil when everything held.
type Result struct {
	Mode      string  `json:"mode"`
	Host      string  `json:"host"`
	CheckedAt string  `json:"checkedAt"`
	Passed    bool    `json:"passed"`
	Hops      []Hop   `json:"hops"`
	Checks    []Check `json:"checks"`
	Finding   *Hop    `json:"finding"`
}

// ParseResult reads the JSON object the script prints on the last line of its stdout.
func ParseResult(stdout string) (Result, error) {
	var r Result
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	last := lines[len(lines)-1]
	if err := json.Unmarshal([]byte(last), &r); err != nil {
		return r, fmt.Errorf("selfcheck: no result on the last line of %q: %w", last, err)
	}
	return r, nil
}
