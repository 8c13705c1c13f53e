package sshconn

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"ragmesh.local/tools/standins/command/internal/testsshd"
)

func cfgFor(s *testsshd.Server) *Config {
	return &Config{Host: "127.0.0.1", Port: s.Port, User: s.User, PrivateKey: s.PrivateKey,
		DialErrorLimit: 10, PerDialTimeout: 15}
}

func TestDialPinnedHostKeyAndProxy(t *testing.T) {
	s := testsshd.Start(t, testsshd.Options{})
	c := cfgFor(s)
	c.HostKey = s.HostKey
	client, err := Dial(context.Background(), c)
	require.NoError(t, err)
	_ = client.Close()

	// Through a jump host (the same sshd, forwarding to itself).
	c.Proxy = cfgFor(s)
	client, err = Dial(context.Background(), c)
	require.NoError(t, err)
	out, err := client.Client.NewSession()
	require.NoError(t, err)
	b, err := out.Output("echo via-proxy")
	require.NoError(t, err)
	assert.Equal(t, "via-proxy\n", string(b))
	_ = client.Close()
}

func TestDialRejectsWrongHostKey(t *testing.T) {
	s := testsshd.Start(t, testsshd.Options{})
	other := testsshd.Start(t, testsshd.Options{})
	c := cfgFor(s)
	c.HostKey = other.HostKey
	c.DialErrorLimit = 1
	_, err := Dial(context.Background(), c)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "host key mismatch")
}

func TestDialRetriesUntilServerComesUp(t *testing.T) {
	port := testsshd.FreePort(t)
	s := testsshd.Start(t, testsshd.Options{Port: port, Delay: 2 * time.Second})
	start := time.Now()
	client, err := Dial(context.Background(), cfgFor(s))
	require.NoError(t, err, "the dial must survive refusals while the server starts")
	_ = client.Close()
	assert.GreaterOrEqual(t, time.Since(start), 2*time.Second)
}

func TestDialGivesUpAfterLimit(t *testing.T) {
	c := &Config{Host: "127.0.0.1", Port: testsshd.FreePort(t), User: "root", Password: "x",
		DialErrorLimit: 2, PerDialTimeout: 1}
	_, err := Dial(context.Background(), c)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "after 2 attempt(s)")
}

func TestClientConfigNeedsCredentials(t *testing.T) {
	_, err := Dial(context.Background(), &Config{Host: "127.0.0.1", Port: 1, DialErrorLimit: 1})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "neither privateKey nor password")
}
