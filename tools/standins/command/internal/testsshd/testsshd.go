// Package testsshd starts a throwaway OpenSSH server on 127.0.0.1 for tests: its own host key, one authorized
// client key, a free port, stopped when the test ends. Tests skip when /usr/sbin/sshd is absent.
package testsshd

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// Binary is the sshd the tests run.
const Binary = "/usr/sbin/sshd"

// Server is a running sshd.
type Server struct {
	Port       int
	User       string
	PrivateKey string // OpenSSH PEM of the authorized client key
	HostKey    string // the server's public host key, authorized_keys format
	Dir        string
}

// Options tweak the server.
type Options struct {
	// AcceptEnv is the sshd AcceptEnv pattern list ("" accepts none).
	AcceptEnv string
	// Port to listen on; 0 picks a free one.
	Port int
	// Delay postpones the start, to test dial retries.
	Delay time.Duration
}

// Start runs sshd for the test, or skips the test when sshd is not installed.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if _, err := os.Stat(Binary); err != nil {
		t.Skipf("%s is absent (apt-get install openssh-server); skipping the SSH test", Binary)
	}
	// sshd running as root insists on its privilege separation directory.
	if os.Geteuid() == 0 {
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			t.Fatalf("creating /run/sshd: %v", err)
		}
	}
	dir := t.TempDir()
	hostPub := writeKey(t, filepath.Join(dir, "host_key"))
	clientPub := writeKey(t, filepath.Join(dir, "client_key"))
	must(t, os.WriteFile(filepath.Join(dir, "authorized_keys"), ssh.MarshalAuthorizedKey(clientPub), 0o600))
	clientPEM, err := os.ReadFile(filepath.Join(dir, "client_key"))
	must(t, err)

	port := opts.Port
	if port == 0 {
		port = FreePort(t)
	}
	u, err := user.Current()
	must(t, err)
	cfg := fmt.Sprintf(`ListenAddress 127.0.0.1
Port %d
HostKey %s
PidFile %s
AuthorizedKeysFile %s
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin yes
AllowTcpForwarding yes
LogLevel ERROR
`, port, filepath.Join(dir, "host_key"), filepath.Join(dir, "sshd.pid"), filepath.Join(dir, "authorized_keys"))
	if opts.AcceptEnv != "" {
		cfg += "AcceptEnv " + opts.AcceptEnv + "\n"
	}
	cfgPath := filepath.Join(dir, "sshd_config")
	must(t, os.WriteFile(cfgPath, []byte(cfg), 0o600))

	cmd := exec.Command(Binary, "-D", "-e", "-f", cfgPath)
	cmd.Stderr = &prefixLog{t: t}
	start := func() {
		if err := cmd.Start(); err != nil {
			t.Errorf("starting sshd: %v", err)
		}
	}
	stopped := make(chan struct{})
	t.Cleanup(func() {
		<-stopped
		if cmd.Process != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	if opts.Delay > 0 {
		go func() {
			time.Sleep(opts.Delay)
			start()
			close(stopped)
		}()
	} else {
		start()
		close(stopped)
		waitListening(t, port)
	}
	return &Server{
		Port: port, User: u.Username, PrivateKey: string(clientPEM),
		HostKey: string(ssh.MarshalAuthorizedKey(hostPub)), Dir: dir,
	}
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port
}

// Addr is host:port of the server.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)) }

func waitListening(t testing.TB, port int) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
		if err == nil {
			_ = c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("sshd did not listen on port %d", port)
}

// writeKey writes a fresh ed25519 private key in OpenSSH format and returns its public key.
func writeKey(t testing.TB, path string) ssh.PublicKey {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	must(t, err)
	block, err := ssh.MarshalPrivateKey(priv, "")
	must(t, err)
	must(t, os.WriteFile(path, pem.EncodeToMemory(block), 0o600))
	sshPub, err := ssh.NewPublicKey(pub)
	must(t, err)
	return sshPub
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// prefixLog shows sshd's own messages in the test log.
type prefixLog struct{ t testing.TB }

func (p *prefixLog) Write(b []byte) (int, error) {
	p.t.Logf("sshd: %s", b)
	return len(b), nil
}
