package selfcheck

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ragmesh/ragmesh/config"
	"github.com/ragmesh/ragmesh/hosts"
)

// The local stack's shape: one server, one app host, one chroma host.
var testSet = hosts.Set{
	{Role: hosts.ConsulServer, Name: "consul"},
	{Role: hosts.App, Name: "app"},
	{Role: hosts.Chroma, Name: "chroma"},
}

var allowApp = []config.Intention{{Source: "django-app", Destination: "chromadb"}}

func python(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 missing (the hosts run the check with it)")
	}
	return p
}

func TestParamsFollowTheStackAndTheConfiguredIntentions(t *testing.T) {
	p := ParamsFor(testSet, testSet[1], "10.0.2.4", allowApp)
	assert.Equal(t, []string{"consul", "app", "chroma"}, p.Nodes)
	assert.Equal(t, []string{"consul"}, p.Servers)
	assert.Equal(t, "django-app-app", p.AppServiceID)
	assert.Equal(t, "chromadb-chroma", p.ChromaServiceID)
	assert.Equal(t, 8001, p.UpstreamPort)
	assert.True(t, p.ExpectAllowed)
	assert.False(t, ParamsFor(testSet, testSet[1], "10.0.2.4", nil).ExpectAllowed,
		"without the allow intention in config, a refused path is the expected result")
	assert.False(t, Allowed([]config.Intention{{Source: "django-app", Destination: "other"}}, "django-app", "chromadb"))
}

func TestRenderedScriptCompiles(t *testing.T) {
	py := python(t)
	for name, intentions := range map[string][]config.Intention{"allow": allowApp, "deny": nil} {
		t.Run(name, func(t *testing.T) {
			text, err := Render(ParamsFor(testSet, testSet[1], "10.0.2.4", intentions))
			require.NoError(t, err)
			assert.Contains(t, text, `CHROMA_ADDRESS = "10.0.2.4"`)
			assert.Contains(t, text, `NODES = ["consul","app","chroma"]`)
			assert.Contains(t, text, fmt.Sprintf("EXPECT_ALLOWED = %s", map[string]string{"allow": "True", "deny": "False"}[name]))
			assert.NotContains(t, text, "<no value>")
			file := filepath.Join(t.TempDir(), "selfcheck.py")
			require.NoError(t, os.WriteFile(file, []byte(text), 0o644))
			out, err := exec.Command(py, "-m", "py_compile", file).CombinedOutput()
			require.NoError(t, err, string(out))
		})
	}
	_, err := Render(Params{Host: "app"})
	require.Error(t, err, "a script without the chroma address cannot check anything")
}

func TestPolicyGrantsReadAndOnlyTheProbeIdentityWrite(t *testing.T) {
	rules, err := Rules()
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(rules, `"write"`))
	assert.Contains(t, rules, "service \"ragmesh-probe\" {\n  policy = \"write\"")
	assert.Contains(t, rules, `intentions = "read"`)
}

func TestParseResultReadsTheLastLine(t *testing.T) {
	r, err := ParseResult("noise\n" + `{"mode":"check","host":"app","passed":false,"finding":{"hop":3,"name":"chroma-sidecar","host":"chroma"}}` + "\n")
	require.NoError(t, err)
	require.NotNil(t, r.Finding)
	assert.Equal(t, 3, r.Finding.Hop)
	_, err = ParseResult("Traceback ...")
	require.Error(t, err)
}

// mesh is a canned view of the cluster: what the Consul API, systemd and the network answer on the app host.
type mesh struct {
	agentDown      bool
	chromaStatus   int // LAN member status of the chroma host: 1 alive, 3 left, 4 failed
	noLeader       bool
	serversDown    bool // the local agent answers, but what needs a server fails (the leader: HTTP 500)
	membersGarbled bool // the members list comes back as something that is not JSON
	appUnit        string
	upstreamBound  bool
	upstreamOK     bool // the heartbeat through the upstream answers
	sidecarCheck   string
	allowed        bool
	chromaCheck    string
	probeAnswers   bool // the probe identity gets through (no default deny)
	directOpen     bool // chroma's port answers from the app host
	sidecarDown    bool // nothing listens on the chroma sidecar's public port (its check has not noticed yet)
	// allowDescription is the description on the django-app allow source in Consul's chromadb entry.
	allowDescription string
}

func healthy() mesh {
	return mesh{chromaStatus: 1, appUnit: "active", upstreamBound: true, upstreamOK: true,
		sidecarCheck: "passing", allowed: true, chromaCheck: "passing"}
}

// run renders the script for the canned mesh and runs it in mode on this machine, with stand-ins for
// systemctl, ss and consul on PATH and a fake agent API on loopback.
func (m mesh) run(t *testing.T, mode string, intentions []config.Intention) (Result, string, int) {
	t.Helper()
	py := python(t)
	dir := t.TempDir()
	sidecar := listen(t, m.sidecarDown) // the chroma sidecar's public listener
	direct := listen(t, !m.directOpen)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !m.upstreamOK {
			hj, _ := w.(http.Hijacker)
			c, _, _ := hj.Hijack()
			c.Close() // what a refused mesh connection looks like to the caller: closed, no reply
			return
		}
		fmt.Fprint(w, `{"nanosecond heartbeat":1}`)
	}))
	t.Cleanup(upstream.Close)
	upstreamPort := port(t, upstream.Listener.Addr())

	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body any
		switch r.URL.Path {
		case "/v1/agent/self":
			body = map[string]any{"Config": map[string]any{"NodeName": "app"}}
		case "/v1/agent/members":
			if m.membersGarbled {
				fmt.Fprint(w, "<html>bad gateway</html>")
				return
			}
			body = []map[string]any{{"Name": "consul", "Status": 1}, {"Name": "app", "Status": 1}, {"Name": "chroma", "Status": m.chromaStatus}}
		case "/v1/status/leader":
			if m.serversDown {
				http.Error(w, "rpc error getting client: failed to get conn: dial tcp 10.0.1.5:0->10.0.1.4:8300: connect: connection refused", http.StatusInternalServerError)
				return
			}
			body = "10.0.1.4:8300"
			if m.noLeader {
				body = ""
			}
		case "/v1/health/service/chromadb-sidecar-proxy":
			id := "chromadb-chroma-sidecar-proxy"
			body = []map[string]any{{
				"Node":    map[string]any{"Node": "chroma", "Address": "127.0.0.1"},
				"Service": map[string]any{"ID": id, "Service": "chromadb-sidecar-proxy", "Address": "127.0.0.1", "Port": port(t, sidecar)},
				"Checks": []map[string]any{
					{"Node": "chroma", "CheckID": "serfHealth", "Status": "passing", "ServiceID": "", "Type": ""},
					{"Node": "chroma", "CheckID": "service:" + id + ":1", "Name": "Connect Sidecar Listening", "Status": m.sidecarCheck, "ServiceID": id, "Type": "tcp", "Output": "dial tcp 10.0.2.4:21000: connect: connection refused"},
					{"Node": "chroma", "CheckID": "service:" + id + ":2", "Name": "Connect Sidecar Aliasing chromadb-chroma", "Status": m.chromaCheck, "ServiceID": id, "Type": "alias"},
				},
			}}
		case "/v1/connect/intentions/check":
			body = map[string]any{"Allowed": m.allowed}
		case "/v1/config/service-intentions/chromadb":
			body = map[string]any{"Kind": "service-intentions", "Name": "chromadb", "Sources": []map[string]any{
				{"Name": "django-app", "Action": "allow", "Description": m.allowDescription}}}
		case "/v1/health/checks/chromadb":
			body = []map[string]any{{"Node": "chroma", "CheckID": "chromadb-chroma-http", "Name": "chromadb HTTP /api/v2/heartbeat",
				"Status": m.chromaCheck, "ServiceID": "chromadb-chroma", "Type": "http", "Output": "Get \"http://127.0.0.1:8000/api/v2/heartbeat\": connection refused"}}
		default:
			http.NotFound(w, r)
			return
		}
		require.NoError(t, json.NewEncoder(w).Encode(body))
	}))
	t.Cleanup(api.Close)
	if m.agentDown {
		api.Close()
	}

	bin := filepath.Join(dir, "bin")
	require.NoError(t, os.MkdirAll(bin, 0o755))
	listening := filepath.Join(dir, "listening")
	bound := ""
	if m.upstreamBound {
		bound = fmt.Sprintf("%d\n", upstreamPort)
	}
	require.NoError(t, os.WriteFile(listening, []byte(bound), 0o644))
	stub(t, bin, "systemctl", fmt.Sprintf("#!/bin/sh\necho %s\n[ %s = active ]\n", m.appUnit, m.appUnit))
	stub(t, bin, "ss", "#!/bin/sh\np=${2##*:}\ngrep -qx \"$p\" "+listening+" && echo \"LISTEN 0 4096 127.0.0.1:$p 0.0.0.0:*\"\nexit 0\n")
	answer := "conn.close()"
	if m.probeAnswers {
		answer = `conn.recv(4096); conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"); conn.close()`
	}
	// consul connect proxy -service X -upstream chromadb:PORT: listens on PORT like the real probe proxy.
	stub(t, bin, "consul", fmt.Sprintf(`#!%s
import socket, sys
port = int(sys.argv[sys.argv.index("-upstream") + 1].split(":")[1])
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", port)); s.listen(8)
open(%q, "a").write("%%d\n" %% port)
print("[INFO] proxy: Proxy loaded config and ready to serve", flush=True)
while True:
    conn, _ = s.accept()
    %s
`, py, listening, answer))

	p := ParamsFor(testSet, testSet[1], "127.0.0.1", intentions)
	p.ConsulSocket = filepath.Join(dir, "no-socket")
	p.ConsulHTTP = api.URL
	p.TokenFiles = []string{filepath.Join(dir, "no-token")}
	p.UpstreamPort = upstreamPort
	p.ChromaPort = port(t, direct)
	p.RetrySeconds = 0
	text, err := Render(p)
	require.NoError(t, err)

	cmd := exec.Command(py, "-", mode)
	cmd.Stdin = strings.NewReader(text)
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"))
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else {
		require.NoError(t, err)
	}
	r, err := ParseResult(stdout.String())
	require.NoError(t, err, "stderr: %s", stderr.String())
	return r, stderr.String(), code
}

func stub(t *testing.T, dir, name, text string) {
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o755))
}

// listen opens a TCP listener on loopback that accepts and closes; closed, its port refuses connections.
func listen(t *testing.T, closed bool) net.Addr {
	if closed {
		return refusingPort(t)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	t.Cleanup(func() { l.Close() })
	return l.Addr()
}

// refusingPort is a loopback TCP port that is bound but not listening: connections are refused, and no other
// socket (such as the probe's free port) can take it while the test runs.
func refusingPort(t *testing.T) net.Addr {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	require.NoError(t, err)
	t.Cleanup(func() { syscall.Close(fd) })
	require.NoError(t, syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	sa, err := syscall.Getsockname(fd)
	require.NoError(t, err)
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: sa.(*syscall.SockaddrInet4).Port}
}

func port(t *testing.T, a net.Addr) int { return a.(*net.TCPAddr).Port }

func TestHealthyMeshPassesEveryHopAndPathCheck(t *testing.T) {
	r, report, code := healthy().run(t, "diagnose", allowApp)
	assert.Equal(t, 0, code, report)
	assert.True(t, r.Passed)
	assert.Nil(t, r.Finding)
	require.Len(t, r.Hops, 5)
	for _, h := range r.Hops {
		assert.Equal(t, "ok", h.Status, "hop %d: %s", h.Hop, h.Detail)
	}
	require.Len(t, r.Checks, 3)
	for _, c := range r.Checks {
		assert.True(t, c.OK, "%s: %s", c.Name, c.Detail)
	}
	assert.Equal(t, "refused", r.Checks[1].Expect, "the probe identity must be refused")
	assert.Contains(t, report, "PASSED")
}

// Each broken piece is named as exactly its hop, on the right host, with the command to run next.
func TestDiagnosisNamesTheFirstBrokenHop(t *testing.T) {
	for _, tc := range []struct {
		name   string
		break_ func(*mesh)
		hop    int
		host   string
		detail string
		next   string
	}{
		{"app agent down", func(m *mesh) { m.agentDown = true }, 1, "app", "does not answer", "journalctl -u consul.service"},
		{"chroma agent left", func(m *mesh) { m.chromaStatus = 3 }, 1, "chroma", "is left", "journalctl -u consul.service -n 50 --no-pager   # on host chroma"},
		{"chroma agent failed", func(m *mesh) { m.chromaStatus = 4 }, 1, "chroma", "is failed", "on host chroma"},
		{"no leader", func(m *mesh) { m.noLeader = true }, 1, "consul", "no leader", "on host consul"},
		{"servers down, members not yet told", func(m *mesh) { m.serversDown = true }, 1, "consul", "no leader (asked from app: HTTP 500 rpc error", "journalctl -u consul.service -n 50 --no-pager   # on host consul"},
		{"members list garbled", func(m *mesh) { m.membersGarbled = true }, 1, "consul", "cannot list the cluster's members", "on host consul"},
		{"app sidecar stopped", func(m *mesh) { m.appUnit = "inactive"; m.upstreamBound = false; m.upstreamOK = false }, 2, "app", "django-app-app-sidecar.service is inactive", "journalctl -u django-app-app-sidecar.service -n 50 --no-pager   # on host app"},
		{"upstream not bound", func(m *mesh) { m.upstreamBound = false }, 2, "app", "nothing listens on 127.0.0.1", "ss -ltnp"},
		{"chroma sidecar stopped", func(m *mesh) { m.sidecarCheck = "critical"; m.upstreamOK = false }, 3, "chroma", "fails its check 'Connect Sidecar Listening'", "journalctl -u chromadb-chroma-sidecar.service -n 50 --no-pager   # on host chroma"},
		{"chroma sidecar just stopped", func(m *mesh) { m.sidecarDown = true; m.upstreamOK = false }, 3, "chroma", "nothing listens on 127.0.0.1", "journalctl -u chromadb-chroma-sidecar.service -n 50 --no-pager   # on host chroma"},
		{"allow intention removed", func(m *mesh) { m.allowed = false; m.upstreamOK = false }, 4, "consul", "decides deny for django-app -> chromadb but stack config says allow", "pulumi up --refresh"},
		{"chroma stopped", func(m *mesh) { m.chromaCheck = "critical"; m.upstreamOK = false }, 5, "chroma", "ChromaDB does not answer on chroma's loopback", "journalctl -u chroma.service -n 50 --no-pager   # on host chroma"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := healthy()
			tc.break_(&m)
			r, report, code := m.run(t, "diagnose", allowApp)
			assert.Equal(t, 1, code, report)
			require.NotNil(t, r.Finding, report)
			assert.Equal(t, tc.hop, r.Finding.Hop, report)
			assert.Equal(t, tc.host, r.Finding.Host)
			assert.Contains(t, r.Finding.Detail, tc.detail)
			assert.Contains(t, strings.Join(r.Finding.Next, "\n"), tc.next)
			assert.Len(t, r.Hops, tc.hop, "diagnosis stops at the first broken hop")
			assert.Empty(t, r.Checks, "the path is not tried past a broken hop")
			assert.Contains(t, report, fmt.Sprintf("BROKEN: hop %d (%s) on host %s", tc.hop, r.Finding.Name, tc.host))
		})
	}
}

func TestPathFailuresWithHealthyHopsAreNamed(t *testing.T) {
	for _, tc := range []struct {
		name   string
		break_ func(*mesh)
		check  string
		detail string
	}{
		{"no default deny", func(m *mesh) { m.probeAnswers = true }, "ragmesh-probe -> chromadb", "default deny is missing"},
		{"chroma port open", func(m *mesh) { m.directOpen = true }, "direct 127.0.0.1", "must listen on loopback only"},
		{"no answer with healthy hops", func(m *mesh) { m.upstreamOK = false }, "heartbeat via", "every hop reports healthy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := healthy()
			tc.break_(&m)
			r, report, code := m.run(t, "diagnose", allowApp)
			assert.Equal(t, 1, code, report)
			require.NotNil(t, r.Finding, report)
			assert.Equal(t, 0, r.Finding.Hop)
			assert.Contains(t, r.Finding.Title, tc.check)
			assert.Contains(t, r.Finding.Detail, tc.detail)
		})
	}
}

// Without the allow intention in config, a refused app path is the pass, not a failure.
func TestConfiguredDenyExpectsARefusedPath(t *testing.T) {
	m := healthy()
	m.allowed, m.upstreamOK = false, false
	r, report, code := m.run(t, "check", nil)
	assert.Equal(t, 0, code, report)
	assert.True(t, r.Passed, report)
	assert.Equal(t, "refused", r.Checks[0].Expect)
	assert.Contains(t, r.Hops[3].Detail, "deny (as configured)")

	m.allowed, m.upstreamOK = true, true
	r, report, code = m.run(t, "check", nil)
	assert.Equal(t, 1, code, report)
	assert.Equal(t, 4, r.Finding.Hop, "an allow that config does not grant is a broken intention hop")
}

func TestCheckModeFailsWithTheFindingAsTheLastWords(t *testing.T) {
	m := healthy()
	m.sidecarCheck, m.upstreamOK = "critical", false
	_, report, code := m.run(t, "check", allowApp)
	assert.Equal(t, 1, code)
	lines := strings.Split(strings.TrimSpace(report), "\n")
	assert.Contains(t, strings.Join(lines[len(lines)-3:], "\n"), "BROKEN: hop 3 (chroma-sidecar) on host chroma",
		"the finding ends the output, where a failed update shows it")
}

// Pulumi deletes a removed allow at the end of the update, after the check: during `up` the stack's own allow is
// pending, not broken; one made by hand is broken, and after the update the diagnosis is strict.
func TestAllowLeftInConfigIsPendingOnlyWhenTheStackMadeIt(t *testing.T) {
	m := healthy()
	m.allowDescription = StackAllowDescription
	r, report, code := m.run(t, "check", nil)
	assert.Equal(t, 0, code, report)
	assert.Equal(t, "pending", r.Hops[3].Status)
	assert.Equal(t, "answers", r.Checks[0].Expect, "the app is still allowed until the update deletes the allow")
	assert.Equal(t, "refused", r.Checks[1].Expect)

	r, report, code = m.run(t, "diagnose", nil)
	assert.Equal(t, 1, code, report)
	assert.Equal(t, 4, r.Finding.Hop, "outside an update, a leftover allow is drift")

	m.allowDescription = "made by hand"
	r, report, code = m.run(t, "check", nil)
	assert.Equal(t, 1, code, report)
	assert.Equal(t, 4, r.Finding.Hop)
}

func TestRenderedTokenInstallPassesBashN(t *testing.T) {
	text, err := templates.Render("install-token.sh.tmpl", map[string]string{"TokenDir": TokenDir, "TokenFile": TokenFile, "Token": "00000000-1111-2222-3333-444444444444"})
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "install-token.sh")
	require.NoError(t, os.WriteFile(file, []byte(text), 0o644))
	out, err := exec.Command("bash", "-n", file).CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Contains(t, text, "chmod 0600 "+TokenFile+".new", "the token file is root-only before it is in place")
}
