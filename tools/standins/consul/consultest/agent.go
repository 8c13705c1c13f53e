// Package consultest runs a throwaway Consul dev agent on loopback for tests, with or without ACLs.
package consultest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"
)

// ManagementToken is the initial management token of agents started with ACLs.
const ManagementToken = "6c9b2d3e-0f41-4c55-9a0e-2f5d7d4b8a11"

// Agent is a running dev agent.
type Agent struct {
	Address string // host:port of the HTTP API
	Token   string // management token, empty without ACLs
	Client  *api.Client
}

// Binary finds the consul binary the project builds into .tools/bin, or skips the test.
func Binary(t testing.TB) string {
	t.Helper()
	if path := os.Getenv("CONSUL_BIN"); path != "" {
		return path
	}
	_, file, _, _ := runtime.Caller(0)
	for dir := filepath.Dir(file); ; dir = filepath.Dir(dir) {
		candidate := filepath.Join(dir, ".tools", "bin", "consul")
		if _, err := os.Stat(candidate); err == nil {
			return candidate
		}
		if filepath.Dir(dir) == dir {
			t.Skip("no consul binary: build it into .tools/bin/consul (or set CONSUL_BIN) to run this test")
		}
	}
}

// Start runs a dev agent bound to 127.0.0.1 on free ports and stops it (by PID) when the test ends.
func Start(t testing.TB, withACLs bool) *Agent {
	t.Helper()
	ports := freePorts(t, 4)
	args := []string{"agent", "-dev", "-bind", "127.0.0.1", "-client", "127.0.0.1",
		"-http-port", strconv.Itoa(ports[0]), "-grpc-port", "-1", "-grpc-tls-port", "-1", "-dns-port", "-1",
		"-serf-lan-port", strconv.Itoa(ports[1]), "-serf-wan-port", strconv.Itoa(ports[2]),
		"-server-port", strconv.Itoa(ports[3]), "-log-level", "warn"}
	agent := &Agent{Address: fmt.Sprintf("127.0.0.1:%d", ports[0])}
	if withACLs {
		agent.Token = ManagementToken
		args = append(args, "-hcl", fmt.Sprintf(
			`acl { enabled = true default_policy = "deny" tokens { initial_management = %q } }`, ManagementToken))
	}
	cmd := exec.Command(Binary(t), args...)
	logFile, err := os.Create(filepath.Join(t.TempDir(), "consul.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting consul: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = logFile.Close()
	})

	config := api.DefaultNonPooledConfig()
	config.Address, config.Token = agent.Address, agent.Token
	agent.Client, err = api.NewClient(config)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		leader, err := agent.Client.Status().Leader()
		ready := err == nil && leader != ""
		if ready && withACLs {
			_, _, err = agent.Client.ACL().TokenReadSelf(nil)
			ready = err == nil
		}
		if ready {
			return agent
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logFile.Name())
			t.Fatalf("consul agent not ready after 30s (last error: %v)\n%s", err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// freePorts asks the kernel for n distinct free loopback ports.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ports []int
	var listeners []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range listeners {
		_ = l.Close()
	}
	return ports
}
