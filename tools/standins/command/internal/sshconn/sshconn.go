// Package sshconn turns a command:remote:Connection value into a live SSH client, with the real provider's
// dial retries (a host that just booted refuses for a while), host key pinning and an optional jump host.
package sshconn

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"golang.org/x/crypto/ssh"
)

// Config is one hop of a connection. Proxy, when set, is the jump host dialled first.
type Config struct {
	Host               string
	Port               int
	User               string
	Password           string
	PrivateKey         string
	PrivateKeyPassword string
	HostKey            string
	DialErrorLimit     int // attempts; -1 means no limit
	PerDialTimeout     int // seconds per attempt; 0 means no limit
	Proxy              *Config
}

// Addr is host:port of this hop.
func (c *Config) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

// FromProperty reads a checked connection value (secret or not) into a Config.
func FromProperty(v resource.PropertyValue) (*Config, error) {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	if !v.IsObject() {
		return nil, errors.New("connection must be an object")
	}
	m := v.ObjectValue()
	str := func(k string) string {
		p := m[resource.PropertyKey(k)]
		for p.IsSecret() {
			p = p.SecretValue().Element
		}
		if p.IsString() {
			return p.StringValue()
		}
		return ""
	}
	num := func(k string, def int) int {
		p := m[resource.PropertyKey(k)]
		for p.IsSecret() {
			p = p.SecretValue().Element
		}
		if p.IsNumber() {
			return int(p.NumberValue())
		}
		return def
	}
	if str("agentSocketPath") != "" {
		return nil, errors.New("connection.agentSocketPath is not supported by the offline stand-in")
	}
	c := &Config{
		Host:               str("host"),
		Port:               num("port", 22),
		User:               str("user"),
		Password:           str("password"),
		PrivateKey:         str("privateKey"),
		PrivateKeyPassword: str("privateKeyPassword"),
		HostKey:            str("hostKey"),
		DialErrorLimit:     num("dialErrorLimit", 10),
		PerDialTimeout:     num("perDialTimeout", 15),
	}
	if c.User == "" {
		c.User = "root"
	}
	if c.Host == "" {
		return nil, errors.New("connection.host is required")
	}
	if p := m["proxy"]; p.HasValue() {
		proxy, err := FromProperty(p)
		if err != nil {
			return nil, fmt.Errorf("proxy: %w", err)
		}
		c.Proxy = proxy
	}
	return c, nil
}

// clientConfig builds the auth and host key checks of one hop.
func (c *Config) clientConfig() (*ssh.ClientConfig, error) {
	var auth []ssh.AuthMethod
	if c.PrivateKey != "" {
		var signer ssh.Signer
		var err error
		if c.PrivateKeyPassword != "" {
			signer, err = ssh.ParsePrivateKeyWithPassphrase([]byte(c.PrivateKey), []byte(c.PrivateKeyPassword))
		} else {
			signer, err = ssh.ParsePrivateKey([]byte(c.PrivateKey))
		}
		if err != nil {
			// The parse error never quotes key material.
			return nil, fmt.Errorf("cannot parse privateKey for %s: %w", c.Addr(), err)
		}
		auth = append(auth, ssh.PublicKeys(signer))
	}
	if c.Password != "" {
		pw := c.Password
		auth = append(auth, ssh.Password(pw), ssh.KeyboardInteractive(
			func(_, _ string, questions []string, _ []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = pw
				}
				return answers, nil
			}))
	}
	if len(auth) == 0 {
		return nil, fmt.Errorf("connection to %s has neither privateKey nor password "+
			"(SSH agent authentication is not supported by the offline stand-in)", c.Addr())
	}
	hostKeyCallback := ssh.InsecureIgnoreHostKey()
	if c.HostKey != "" {
		pinned, _, _, _, err := ssh.ParseAuthorizedKey([]byte(c.HostKey))
		if err != nil {
			return nil, fmt.Errorf("cannot parse hostKey for %s: %w", c.Addr(), err)
		}
		hostKeyCallback = ssh.FixedHostKey(pinned)
	}
	return &ssh.ClientConfig{User: c.User, Auth: auth, HostKeyCallback: hostKeyCallback}, nil
}

// Client is a live connection; Close also closes the jump host connection behind it.
type Client struct {
	*ssh.Client
	via *Client
}

// Close ends the connection and the jump host's.
func (c *Client) Close() error {
	err := c.Client.Close()
	if c.via != nil {
		_ = c.via.Close()
	}
	return err
}

// Dial connects to the host, through the proxy when one is set, retrying failed attempts up to DialErrorLimit.
func Dial(ctx context.Context, c *Config) (*Client, error) {
	var via *Client
	if c.Proxy != nil {
		p, err := Dial(ctx, c.Proxy)
		if err != nil {
			return nil, fmt.Errorf("proxy %s: %w", c.Proxy.Addr(), err)
		}
		via = p
	}
	var viaSSH *ssh.Client
	if via != nil {
		viaSSH = via.Client
	}
	client, err := dialRetrying(ctx, c, viaSSH)
	if err != nil {
		if via != nil {
			_ = via.Close()
		}
		return nil, err
	}
	return &Client{Client: client, via: via}, nil
}

// dialRetrying makes up to DialErrorLimit attempts with a growing pause between them.
func dialRetrying(ctx context.Context, c *Config, via *ssh.Client) (*ssh.Client, error) {
	cfg, err := c.clientConfig()
	if err != nil {
		return nil, err
	}
	pause := time.Second
	var last error
	for attempt := 1; c.DialErrorLimit < 0 || attempt <= max(c.DialErrorLimit, 1); attempt++ {
		client, err := dialOnce(ctx, c, cfg, via)
		if err == nil {
			return client, nil
		}
		last = err
		if c.DialErrorLimit >= 0 && attempt >= max(c.DialErrorLimit, 1) {
			return nil, fmt.Errorf("dialing %s@%s failed after %d attempt(s): %w", c.User, c.Addr(), attempt, last)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("dialing %s@%s cancelled after %d attempt(s): %w", c.User, c.Addr(), attempt, last)
		case <-time.After(pause):
		}
		pause = min(pause*3/2, 10*time.Second)
	}
	return nil, last
}

// dialOnce opens the TCP stream (directly or through the jump host) and completes the SSH handshake, all within
// PerDialTimeout.
func dialOnce(ctx context.Context, c *Config, cfg *ssh.ClientConfig, via *ssh.Client) (*ssh.Client, error) {
	if c.PerDialTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(c.PerDialTimeout)*time.Second)
		defer cancel()
	}
	var conn net.Conn
	var err error
	if via != nil {
		conn, err = via.DialContext(ctx, "tcp", c.Addr())
	} else {
		var d net.Dialer
		conn, err = d.DialContext(ctx, "tcp", c.Addr())
	}
	if err != nil {
		return nil, err
	}
	// The handshake has no context of its own: close the stream if the attempt's time runs out.
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	sc, chans, reqs, err := ssh.NewClientConn(conn, c.Addr(), cfg)
	if !stop() {
		if err == nil {
			_ = sc.Close()
		}
		return nil, fmt.Errorf("ssh handshake with %s: %w", c.Addr(), context.Cause(ctx))
	}
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	return ssh.NewClient(sc, chans, reqs), nil
}
