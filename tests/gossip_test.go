package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func init() {
	// A fourth machine on the app subnet runs a Consul agent that has everything but the gossip key: it must not
	// become a member of the cluster.
	register(55, "an agent without the gossip key cannot join", func(t *testing.T, e *env) {
		up := exec.Command(filepath.Join(e.root, "tools/hosts/hosts.sh"), "up", "intruder=10.0.1.6")
		out, err := up.CombinedOutput()
		require.NoError(t, err, "starting the intruder host: %s", out)
		copyCmd := exec.Command("scp", "-q", "-F", filepath.Join(e.root, ".cache/hosts/ssh_config"),
			filepath.Join(e.root, ".tools/bin/consul"), "intruder:/usr/local/bin/consul")
		out, err = copyCmd.CombinedOutput()
		require.NoError(t, err, "copying consul to the intruder: %s", out)

		script, err := os.ReadFile(filepath.Join(e.root, "tests/scripts/keyless-agent.sh"))
		require.NoError(t, err)
		report, err := e.ssh("intruder", string(script), "bash -s 10.0.1.4")
		require.NoError(t, err, report)
		assert.Contains(t, report, "intruder sees members: 1", report)

		// The refusal counts only if the agent reached the server: the server logs the packets it could not decrypt.
		seen, _ := e.ssh("consul", "", "journalctl -u consul --since -2min --no-pager -o cat | grep -ciE 'decrypt|not encrypted|encryption' || true")
		assert.NotEqual(t, "0", strings.TrimSpace(seen), "the server never saw the keyless agent: %s", report)

		mgmt, err := e.ssh("consul", "", "cat /etc/consul.d/tokens/management.token")
		require.NoError(t, err)
		deadline := time.Now().Add(3 * time.Second)
		for time.Now().Before(deadline) {
			members, err := e.ssh("consul", "X-Consul-Token: "+strings.TrimSpace(mgmt)+"\n",
				"curl -sf --unix-socket /run/consul/http.sock -H @- http://consul/v1/agent/members")
			require.NoError(t, err, members)
			require.Contains(t, members, `"Name":"app"`, "the member list must be readable: %s", members)
			assert.NotContains(t, members, "intruder", "the keyless agent became a member")
			time.Sleep(time.Second)
		}
	})
}
