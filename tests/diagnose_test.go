package tests

import (
	"fmt"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/stretchr/testify/require"

	"github.com/ragmesh/ragmesh/selfcheck"
)

// consulCLI runs the consul CLI on a host the way an operator does: through the agent's socket with a token
// when the cluster has ACLs, plain loopback HTTP otherwise.
const consulCLI = `if [ -S /run/consul/http.sock ]; then export CONSUL_HTTP_ADDR=unix:///run/consul/http.sock; fi; ` +
	`for f in /etc/consul.d/tokens/management.token /etc/consul.d/tokens/agent.token; do ` +
	`if [ -s "$f" ]; then export CONSUL_HTTP_TOKEN_FILE=$f; break; fi; done; consul `

// A hop broken by hand on the local hosts, outside Pulumi, and how it is put back.
type breakage struct {
	order         int
	what          string
	host, breakIt string
	// restore undoes breakIt on host; empty when `pulumi up --refresh` is the repair.
	restore   string
	hop       int
	name      string
	hopHost   string
	refreshUp bool
}

// Each hop in turn. `pulumi up` owns the units only through commands that run on change, so a stopped unit is
// drift it does not see: the self-check fails the update naming the hop, and the operator restarts it. The
// intentions are provider resources: `pulumi up --refresh` reads one gone and creates it again.
var breakages = []breakage{
	{41, "the app sidecar stopped", "app", "systemctl stop django-app-app-sidecar.service",
		"systemctl start django-app-app-sidecar.service", 2, "app-sidecar", "app", false},
	{42, "the chroma sidecar stopped", "chroma", "systemctl stop chromadb-chroma-sidecar.service",
		"systemctl start chromadb-chroma-sidecar.service", 3, "chroma-sidecar", "chroma", false},
	{43, "ChromaDB stopped", "chroma", "systemctl stop chroma.service", "systemctl start chroma.service", 5, "chroma", "chroma", false},
	{44, "the Consul agent on the chroma host stopped", "chroma", "systemctl stop consul.service",
		"systemctl start consul.service", 1, "consul-agents", "chroma", false},
	{45, "the allow intention removed by hand", "consul", consulCLI + "config delete -kind service-intentions -name chromadb",
		"", 4, "intention", "consul", true},
}

func init() {
	for _, b := range breakages {
		b := b
		register(b.order, fmt.Sprintf("%s: diagnosis names hop %d, pulumi up fails naming it", b.what, b.hop), func(t *testing.T, e *env) {
			start := time.Now()
			out, err := e.ssh(b.host, "", b.breakIt)
			require.NoError(t, err, out)
			restored := false
			defer func() {
				if !restored && b.restore != "" {
					_, _ = e.ssh(b.host, "", b.restore)
				}
			}()

			r := e.waitForFinding(t)
			require.Equal(t, b.hop, r.Finding.Hop, "diagnosis named another hop: %+v", r.Finding)
			require.Equal(t, b.name, r.Finding.Name)
			require.Equal(t, b.hopHost, r.Finding.Host)
			require.NotEmpty(t, r.Finding.Next, "a finding says what to run next")
			t.Logf("diagnosis after %s: %s; next: %v", time.Since(start).Round(time.Second), r.Finding.Detail, r.Finding.Next)

			log, err := e.checkUp(t)
			require.Error(t, err, "pulumi up must fail while %s", b.what)
			require.Contains(t, log, fmt.Sprintf("BROKEN: hop %d (%s) on host %s", b.hop, b.name, b.hopHost))

			if b.refreshUp {
				// The repair `up` owns: refresh sees the intention gone and creates it again; the check passes.
				log, err = e.checkUp(t, optup.Refresh())
				require.NoError(t, err, log)
				require.Contains(t, log, "ragmesh check on app")
			} else {
				out, err = e.ssh(b.host, "", b.restore)
				require.NoError(t, err, out)
			}
			restored = true
			e.waitHealthy(t)
			e.verify(t, false)
			t.Logf("%s: broken, diagnosed, restored in %s", b.what, time.Since(start).Round(time.Second))
		})
	}
}

// waitForFinding diagnoses until a hop is named. Consul's checks run every 5-10 s, so right after a break the
// path may fail before any hop's health says why; those path-only findings are passed over.
func (e *env) waitForFinding(t *testing.T) selfcheck.Result {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		results, report, code := e.diagnose(t)
		if code == 1 && results[0].Finding != nil && results[0].Finding.Hop > 0 {
			t.Logf("diagnosis:\n%s", report)
			return results[0]
		}
		require.True(t, time.Now().Before(deadline), "no hop named within 60s; last report:\n%s", report)
		time.Sleep(2 * time.Second)
	}
}

// waitHealthy diagnoses until every hop and check passes again.
func (e *env) waitHealthy(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		_, report, code := e.diagnose(t)
		if code == 0 {
			return
		}
		require.True(t, time.Now().Before(deadline), "mesh not healthy within 90s of the restore; last report:\n%s", report)
		time.Sleep(2 * time.Second)
	}
}
