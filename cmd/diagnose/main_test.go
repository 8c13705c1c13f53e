package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ragmesh/ragmesh/selfcheck"
)

func TestSSHArgsUseOnlyTheStackKeyAndTheJumpHost(t *testing.T) {
	target := selfcheck.Target{Host: "app-0", Address: "10.0.1.5", User: "ragmesh", Port: 22,
		Jump: &selfcheck.Jump{Host: "bastion.example", User: "ops", Port: 2222}}
	args := SSHArgs(target, "/tmp/d/id", "/tmp/d/known_hosts")
	line := strings.Join(args, " ")
	assert.Contains(t, line, "-i /tmp/d/id -o IdentitiesOnly=yes")
	assert.Contains(t, line, "UserKnownHostsFile=/tmp/d/known_hosts")
	assert.Contains(t, line, "ProxyCommand=ssh -i /tmp/d/id")
	assert.Contains(t, line, "-p 2222 -W %h:%p ops@bastion.example")
	assert.Equal(t, []string{"-p", "22", "ragmesh@10.0.1.5", "sudo -n /usr/bin/env python3 - diagnose"}, args[len(args)-4:])

	noJump := strings.Join(SSHArgs(selfcheck.Target{Address: "10.0.1.5", User: "root", Port: 22}, "k", "h"), " ")
	assert.NotContains(t, noJump, "ProxyCommand")
}

func TestTargetsComeFromTheSelfCheckOutput(t *testing.T) {
	targets, err := decodeTargets(map[string]any{"enabled": false, "passed": false, "targets": []any{
		map[string]any{"host": "app", "address": "10.0.1.5", "user": "root", "port": 22,
			"params": map[string]any{"host": "app", "chromaAddress": "10.0.2.4", "nodes": []any{"app"}}},
	}})
	require.NoError(t, err)
	require.Len(t, targets, 1)
	assert.Equal(t, "10.0.2.4", targets[0].Params.ChromaAddress)

	_, err = decodeTargets(map[string]any{"enabled": true, "targets": []any{}})
	require.Error(t, err)
}
