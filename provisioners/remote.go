package provisioners

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pulumi/pulumi-command/sdk/go/command/remote"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ragmesh/ragmesh/hosts"
)

// StageDir is where uploads land on a host before a script installs them with their owner and mode. It
// belongs to the SSH user (so uploads need no root) and survives reboots.
const StageDir = "/var/lib/ragmesh/stage"

// runAsRoot is the command line of every script: the script itself travels on stdin, so neither its text
// nor anything it carries appears in a process list, and a non-root SSH user needs only password-less sudo.
const runAsRoot = "sudo -n /bin/bash -s"

// script describes one remote script run.
type script struct {
	// body is the rendered script; a change of it (or of a trigger) re-runs the script.
	body pulumi.StringInput
	// triggers are content hashes of the files the script installs.
	triggers pulumi.Array
	// secret hides the script's output from logs and keeps its stdout a secret in state.
	secret bool
}

// run registers a remote command that runs s on h as root. Scripts are idempotent and have no delete step:
// a change replaces the command, which re-runs the new script and leaves the host as it was otherwise
// (teardown lives in its own resource, see teardown).
func run(ctx *pulumi.Context, name string, h hosts.Host, s script, opts ...pulumi.ResourceOption) (*remote.Command, error) {
	args := &remote.CommandArgs{
		Connection: h.Connection,
		Create:     pulumi.String(runAsRoot),
		Stdin:      s.body,
		// The script text is part of the trigger, so an edited template re-runs exactly this step.
		Triggers: append(pulumi.Array{s.body.ToStringOutput().ApplyT(hashString)}, s.triggers...),
	}
	if s.secret {
		args.Logging = remote.LoggingNone
		opts = append(opts, pulumi.AdditionalSecretOutputs([]string{"stdout", "stderr"}))
	}
	return remote.NewCommand(ctx, name, args, append(opts, pulumi.DependsOn(h.Ready))...)
}

// teardown registers the command that stops what a host runs when the stack is destroyed. It does nothing on
// create; it depends on every step it undoes, so the engine deletes it (running the stop) before them.
func teardown(ctx *pulumi.Context, name string, h hosts.Host, stop string, opts ...pulumi.ResourceOption) (*remote.Command, error) {
	return remote.NewCommand(ctx, name, &remote.CommandArgs{
		Connection: h.Connection,
		Create:     pulumi.String("true"),
		Delete:     pulumi.String("sudo -n /bin/bash -c " + shellQuote(strings.TrimSpace(stop))),
	}, opts...)
}

// upload copies a file into the host's staging directory; a change of its content replaces the copy.
func upload(ctx *pulumi.Context, name string, h hosts.Host, source pulumi.AssetOrArchiveInput, file string, opts ...pulumi.ResourceOption) (*remote.CopyToRemote, error) {
	return remote.NewCopyToRemote(ctx, name, &remote.CopyToRemoteArgs{
		Connection: h.Connection,
		Source:     source,
		RemotePath: pulumi.String(StageDir + "/" + file),
	}, opts...)
}

// uploadText copies rendered text into the staging directory and returns the copy and the text's hash, the
// trigger of the step that installs it.
func uploadText(ctx *pulumi.Context, name string, h hosts.Host, text pulumi.StringOutput, file string, opts ...pulumi.ResourceOption) (*remote.CopyToRemote, pulumi.StringOutput, error) {
	asset := text.ApplyT(func(s string) pulumi.AssetOrArchive { return pulumi.NewStringAsset(s) }).(pulumi.AssetOrArchiveOutput)
	cp, err := upload(ctx, name, h, asset, file, opts...)
	return cp, text.ApplyT(hashString).(pulumi.StringOutput), err
}

// hashString is the hex SHA-256 of s.
func hashString(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// HashFile is the hex SHA-256 of a local file, read as a stream (binaries are large).
func HashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hashing %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}
