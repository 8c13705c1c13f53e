package provisioners

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Template data as the stack uses it, for a server, a client, and a service with an upstream.
var (
	serverData = agentData{NodeName: "consul-server-0", Datacenter: "dc1", Address: "10.0.1.4", Server: true,
		ServerCount: 3, RetryJoin: []string{"10.0.1.4", "10.0.1.6", "10.0.1.7"}}
	clientData = agentData{NodeName: "app-0", Datacenter: "dc1", Address: "10.0.1.5",
		RetryJoin: []string{"provider=azure tag_name=consul-cluster tag_value=ragmesh-dev subscription_id=x"}}
	appService = serviceData{ID: "django-app-app-0", Name: "django-app", CheckPath: "/health/", PublicAddress: "10.0.1.5",
		Port: 8080, SidecarPort: SidecarPort, Upstreams: []Upstream{{Service: "chromadb", LocalPort: 8001}}}
	chromaService = serviceData{ID: "chromadb-chroma", Name: "chromadb", CheckPath: "/api/v2/heartbeat",
		PublicAddress: "10.0.2.4", Port: 8000, SidecarPort: SidecarPort}
)

func renderText(t *testing.T, name string, data any) string {
	t.Helper()
	out, err := Render(name, data)
	require.NoError(t, err)
	return out
}

// consulBinary finds the consul the toolchain built; the validation tests need the real one.
func consulBinary(t *testing.T) string {
	t.Helper()
	for dir, _ := os.Getwd(); dir != "/"; dir = filepath.Dir(dir) {
		if p := filepath.Join(dir, ".tools/bin/consul"); fileExists(p) {
			return p
		}
	}
	if p, err := exec.LookPath("consul"); err == nil {
		return p
	}
	t.Skip("consul not built: run `make tools` (make test does)")
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// TestRenderedAgentConfigsPassConsulValidate feeds each rendered agent config, with the service definitions
// beside it, to `consul validate`, which rejects unknown keys and bad values.
func TestRenderedAgentConfigsPassConsulValidate(t *testing.T) {
	consul := consulBinary(t)
	for name, tc := range map[string]struct {
		agent    agentData
		services []serviceData
	}{
		"server":        {serverData, nil},
		"app client":    {clientData, []serviceData{appService}},
		"chroma client": {agentData{NodeName: "chroma", Datacenter: "dc1", Address: "10.0.2.4", RetryJoin: []string{"10.0.1.4"}}, []serviceData{chromaService}},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := renderText(t, "consul.hcl.tmpl", tc.agent)
			if tc.agent.Server {
				// validate loads the TLS files the server config names.
				tlsDir := filepath.Join(dir, "tls")
				require.NoError(t, os.MkdirAll(tlsDir, 0o700))
				out, err := exec.Command("sh", "-c", "cd "+tlsDir+" && "+consul+" tls ca create >/dev/null && "+consul+
					" tls cert create -server -dc dc1 >/dev/null && mv consul-agent-ca.pem ca.pem && mv dc1-server-consul-0.pem server.pem && mv dc1-server-consul-0-key.pem server-key.pem").CombinedOutput()
				require.NoError(t, err, string(out))
				cfg = strings.ReplaceAll(cfg, "/etc/consul.d/tls", tlsDir)
			}
			require.NoError(t, os.WriteFile(filepath.Join(dir, "consul.hcl"), []byte(cfg), 0o640))
			for _, s := range tc.services {
				require.NoError(t, os.WriteFile(filepath.Join(dir, s.ID+".hcl"), []byte(renderText(t, "service.hcl.tmpl", s)), 0o640))
			}
			out, err := exec.Command(consul, "validate", dir).CombinedOutput()
			require.NoError(t, err, "consul validate: %s", out)
		})
	}
}

// TestConsulValidateCatchesATypo proves the check above can fail: a misspelt key is rejected.
func TestConsulValidateCatchesATypo(t *testing.T) {
	consul := consulBinary(t)
	dir := t.TempDir()
	cfg := strings.Replace(renderText(t, "consul.hcl.tmpl", clientData), "retry_join", "retry_jion", 1)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "consul.hcl"), []byte(cfg), 0o640))
	out, err := exec.Command(consul, "validate", dir).CombinedOutput()
	require.Error(t, err)
	assert.Contains(t, string(out), "retry_jion")
}

// TestRenderedUnitsPassSystemdAnalyzeVerify checks every unit with systemd's own verifier, in a root where the
// binaries they start exist.
func TestRenderedUnitsPassSystemdAnalyzeVerify(t *testing.T) {
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Skip("systemd-analyze missing: install systemd (make host-deps)")
	}
	units := map[string]string{
		"consul.service":                   renderText(t, "consul.service.tmpl", serverData),
		"django-app-app-0-sidecar.service": renderText(t, "sidecar.service.tmpl", appService),
		"chroma.service":                   renderText(t, "chroma-bundle.service.tmpl", map[string]string{"DataDir": "/var/lib/chroma"}),
		"chroma-docker.service":            renderText(t, "chroma-docker.service.tmpl", map[string]string{"DataDir": "/var/lib/chroma", "Image": "chromadb/chroma:1.0.0"}),
	}
	// The units start binaries that exist only on provisioned hosts; in a root of its own with stand-ins for
	// them, the verifier checks everything else.
	root := t.TempDir()
	unitDir := filepath.Join(root, "etc/systemd/system")
	require.NoError(t, os.MkdirAll(unitDir, 0o755))
	var paths []string
	for name, text := range units {
		paths = append(paths, "/etc/systemd/system/"+name)
		require.NoError(t, os.WriteFile(filepath.Join(unitDir, name), []byte(text), 0o644))
	}
	for _, unit := range []string{"sysinit.target", "basic.target", "multi-user.target", "network-online.target", "shutdown.target", "docker.service"} {
		text := "[Unit]\nDescription=stand-in\n"
		if strings.HasSuffix(unit, ".service") {
			text += "[Service]\nExecStart=/usr/bin/docker\n"
		}
		require.NoError(t, os.WriteFile(filepath.Join(unitDir, unit), []byte(text), 0o644))
	}
	for _, bin := range []string{"/usr/bin/consul", "/opt/chroma/bin/chroma-server", "/usr/bin/docker", "/bin/kill"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, filepath.Dir(bin)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, bin), []byte("#!/bin/sh\n"), 0o755))
	}
	out, err := exec.Command("systemd-analyze", append([]string{"verify", "--root=" + root}, paths...)...).CombinedOutput()
	require.NoError(t, err, "systemd-analyze verify: %s", out)
	assert.NotContains(t, string(out), "Unknown key", string(out))
}

// TestScriptsParse runs `bash -n` over every rendered script.
func TestScriptsParse(t *testing.T) {
	scripts := map[string]any{
		"prepare-host.sh.tmpl":          nil,
		"consul-install-upload.sh.tmpl": map[string]string{"BinarySHA256": "abc"},
		"consul-install-apt.sh.tmpl":    map[string]string{"Version": "1.16.1-1"},
		"consul-tls-ca.sh.tmpl":         map[string]any{"Servers": []tlsServer{{"s0", "10.0.1.4"}, {"s1", "10.0.1.6"}}, "Self": "s0", "Datacenter": "dc1"},
		"consul-tls-export.sh.tmpl":     map[string]any{"Servers": []tlsServer{{"s0", "10.0.1.4"}, {"s1", "10.0.1.6"}}, "Self": "s0"},
		"consul-tls-import.sh.tmpl":     map[string]any{"Bundle": "QUJD", "Self": "s1"},
		"consul-start.sh.tmpl":          map[string]any{"NodeName": "s0", "WaitSeconds": 5},
		"consul-stop.sh.tmpl":           nil,
		"service-register.sh.tmpl":      appService,
		"service-deregister.sh.tmpl":    map[string]string{"ID": "x"},
		"chroma-install.sh.tmpl":        map[string]string{"Runtime": "bundle", "DataDir": "/var/lib/chroma", "BundleSHA256": "abc", "Image": ""},
		"chroma-stop.sh.tmpl":           nil,
		"chroma-data-disk.sh.tmpl":      map[string]string{"Device": "/dev/disk/azure/scsi1/lun0", "DataDir": "/var/lib/chroma"},
		"install-file.sh.tmpl":          map[string]string{"Dest": "/etc/x", "Mode": "0644", "Staged": "x"},
	}
	for name, data := range scripts {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command("bash", "-n")
			cmd.Stdin = strings.NewReader(renderText(t, name, data))
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s", out)
		})
	}
	docker := renderText(t, "chroma-install.sh.tmpl", map[string]string{"Runtime": "docker", "DataDir": "/var/lib/chroma", "Image": "chromadb/chroma:1.0.0"})
	assert.Contains(t, docker, "docker pull -q chromadb/chroma:1.0.0")
}

// TestServiceDefinitionKeepsServicesOnLoopback pins the addressing rules: services and checks on 127.0.0.1
// (never localhost), the sidecar's public listener on the private address, the app's upstream on 8001.
func TestServiceDefinitionKeepsServicesOnLoopback(t *testing.T) {
	app := renderText(t, "service.hcl.tmpl", appService)
	assert.Contains(t, app, `address = "127.0.0.1"`)
	assert.Contains(t, app, `http     = "http://127.0.0.1:8080/health/"`)
	assert.Contains(t, app, `address = "10.0.1.5"`)
	assert.Contains(t, app, `local_bind_address = "127.0.0.1"`)
	assert.Contains(t, app, `local_bind_port    = 8001`)
	assert.NotContains(t, app, "localhost")
	chroma := renderText(t, "service.hcl.tmpl", chromaService)
	assert.Contains(t, chroma, `http     = "http://127.0.0.1:8000/api/v2/heartbeat"`)
	assert.NotContains(t, chroma, "upstreams")
	cfg := renderText(t, "consul.hcl.tmpl", clientData)
	assert.Contains(t, cfg, `client_addr = "127.0.0.1"`)
	assert.NotContains(t, cfg, "https", "clients serve no API off the host")
}
