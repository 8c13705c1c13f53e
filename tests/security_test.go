package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The server's TLS API, as an operator or the consul provider reaches it.
const serverAPI = "https://10.0.1.4:8501"

// Each property the zero-trust setup claims is proven on the live hosts, one suite each.
func init() {
	register(50, "anonymous Consul API calls are refused", func(t *testing.T, e *env) {
		// From outside the hosts, over the servers' HTTPS API, with no token: single objects are refused (403);
		// lists answer 200 but filtered by the ACLs to nothing at all.
		for path, want := range map[string]string{
			"/v1/kv/anything": "403", "/v1/agent/self": "403", "/v1/agent/connect/ca/leaf/django-app": "403",
			"/v1/catalog/service/chromadb": "filtered", "/v1/catalog/services": "filtered",
			"/v1/connect/intentions": "filtered", "/v1/agent/members": "filtered", "/v1/catalog/nodes": "filtered",
		} {
			out, _ := e.ssh("app", "", fmt.Sprintf("curl -s -D - --cacert /etc/consul.d/tls/ca.pem %s%s", serverAPI, path))
			head, body, _ := strings.Cut(strings.ReplaceAll(out, "\r", ""), "\n\n")
			if want == "403" {
				assert.Contains(t, head, " 403", "anonymous GET %s: %s", path, out)
				continue
			}
			assert.Contains(t, head, " 200", "anonymous GET %s: %s", path, out)
			assert.Contains(t, strings.ToLower(head), "x-consul-default-acl-policy: deny", "anonymous GET %s: %s", path, out)
			assert.Contains(t, []string{"{}", "[]", "null"}, strings.TrimSpace(body), "anonymous GET %s must see nothing: %s", path, out)
		}
		// On an app host, a local user other than root and consul cannot even open the agent's socket, so the
		// cached leaf certificate of django-app is out of reach.
		out, err := e.ssh("app", "", "runuser -u nobody -- curl -s --unix-socket /run/consul/http.sock http://consul/v1/agent/connect/ca/leaf/django-app; echo rc=$?")
		require.NoError(t, err, out)
		assert.NotContains(t, out, "PRIVATE KEY")
		assert.Contains(t, out, "rc=7", "curl must fail to connect: %s", out)
	})

	register(51, "chroma is reachable only through its sidecar, and only with a mesh certificate", func(t *testing.T, e *env) {
		for _, h := range []string{"consul", "app"} {
			out, _ := e.ssh(h, "", "timeout 5 bash -c 'echo > /dev/tcp/10.0.2.4/8000' 2>/dev/null && echo open || echo closed")
			assert.Equal(t, "closed", strings.TrimSpace(out), "8000 on the chroma host from %s", h)
		}
		plain, _ := e.ssh("app", "", "curl -s -m 5 -o /dev/null -w '%{http_code}' http://10.0.2.4:21000/api/v2/heartbeat; echo \" rc=$?\"")
		assert.NotContains(t, plain, "200", "plaintext to the chroma sidecar must fail: %s", plain)
		anyTLS, _ := e.ssh("app", "", "curl -s -k -m 5 -o /dev/null -w '%{http_code}' https://10.0.2.4:21000/api/v2/heartbeat; echo \" rc=$?\"")
		assert.NotContains(t, anyTLS, "200", "TLS without a mesh client certificate must fail: %s", anyTLS)
		assert.NotContains(t, anyTLS, "rc=0", anyTLS)
	})

	register(52, "server RPC refuses clients without a valid certificate", func(t *testing.T, e *env) {
		script, err := os.ReadFile(filepath.Join(e.root, "tests/scripts/rpc-probe.py"))
		require.NoError(t, err)
		out, err := e.ssh("app", string(script), "python3 - 10.0.1.4 8300")
		require.NoError(t, err, out)
		assert.Contains(t, out, "plaintext: refused")
		assert.Contains(t, out, "tls-without-cert: refused")
	})

	register(53, "registering as django-app without its token fails", func(t *testing.T, e *env) {
		body := `{"Name":"django-app","ID":"impostor","Port":9999}`
		for name, header := range map[string]string{"no token": "", "the node's agent token": "-H @/etc/consul.d/tokens/agent.header"} {
			out, _ := e.ssh("app", body, "curl -s -o /dev/null -w '%{http_code}' --unix-socket /run/consul/http.sock "+header+
				" -X PUT --data-binary @- http://consul/v1/agent/service/register")
			assert.Equal(t, "403", strings.TrimSpace(out), "register with %s", name)
		}
		out, _ := e.ssh("app", "", "curl -s --unix-socket /run/consul/http.sock -H @/etc/consul.d/tokens/agent.header http://consul/v1/agent/services")
		assert.NotContains(t, out, "impostor")
	})

	register(54, "a caller with a valid token for another service is refused by the deny-all", func(t *testing.T, e *env) {
		script, err := os.ReadFile(filepath.Join(e.root, "tests/scripts/other-identity.sh"))
		require.NoError(t, err)
		mgmt, err := e.ssh("consul", "", "cat /etc/consul.d/tokens/management.token")
		require.NoError(t, err)
		// The management token reaches the app host on stdin only, to mint and then delete the test's token.
		first, rest, _ := strings.Cut(string(script), "\n")
		out, err := e.ssh("app", first+"\n"+strings.TrimSpace(mgmt)+"\n"+rest, "bash -s")
		require.NoError(t, err, out)
		assert.Contains(t, out, "reporting -> chromadb: refused", out)
	})

	register(59, "no secret appears in state, pulumi output or any journal", func(t *testing.T, e *env) {
		secrets := map[string]string{}
		key, err := os.ReadFile(filepath.Join(e.root, ".cache/hosts/id_ed25519"))
		require.NoError(t, err)
		for _, line := range strings.Split(string(key), "\n") {
			if len(line) > 40 && !strings.HasPrefix(line, "-----") {
				secrets["ssh private key"] = line
				break
			}
		}
		read := func(host, file string) string {
			out, err := e.ssh(host, "", "cat "+file)
			require.NoError(t, err, "%s:%s", host, file)
			return strings.TrimSpace(out)
		}
		secrets["gossip key"] = read("consul", "/var/lib/ragmesh/secrets/gossip.key")
		secrets["management token"] = read("consul", "/etc/consul.d/tokens/management.token")
		secrets["django-app token"] = read("app", "/etc/consul.d/tokens/django-app-app.token")
		secrets["chromadb token"] = read("chroma", "/etc/consul.d/tokens/chromadb-chroma.token")
		for _, h := range localHosts {
			secrets[h+" agent token"] = read(h, "/etc/consul.d/tokens/agent.token")
		}
		caKey := read("consul", "/etc/consul.d/tls/ca-key.pem")
		secrets["CA key"] = strings.Split(caKey, "\n")[1]

		state, err := os.ReadFile(filepath.Join(e.root, ".tools/state/.pulumi/stacks/ragmesh/local.json"))
		require.NoError(t, err)
		require.NotEmpty(t, e.output.String())
		journals := map[string]string{}
		for _, h := range localHosts {
			out, err := e.ssh(h, "", "journalctl --no-pager -o cat")
			require.NoError(t, err)
			journals[h] = out
		}
		for name, value := range secrets {
			require.NotEmpty(t, value, name)
			assert.NotContains(t, string(state), value, "%s in the state file", name)
			assert.NotContains(t, e.output.String(), value, "%s in pulumi up output", name)
			for h, j := range journals {
				assert.NotContains(t, j, value, "%s in the journal of %s", name, h)
			}
		}
	})
}
