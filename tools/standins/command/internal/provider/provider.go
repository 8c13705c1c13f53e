// Package provider is the plugin.Provider of the stand-in: it answers the engine's calls for the three
// supported resource types with the rules of package spec and runs commands and copies with packages run,
// sshconn and upload.
package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"

	"ragmesh.local/tools/standins/command/internal/spec"
	"ragmesh.local/tools/standins/command/internal/sshconn"
)

// Version is the plugin version the pulumi-command Go SDK v1.2.1 asks the engine for.
const Version = "1.2.1"

// Logger is the part of the engine host used to stream command output; provider.HostClient has it.
type Logger interface {
	LogStatus(ctx context.Context, sev diag.Severity, urn resource.URN, msg string) error
}

// Provider implements plugin.Provider for command:local:Command, command:remote:Command and
// command:remote:CopyToRemote.
type Provider struct {
	plugin.UnimplementedProvider

	log  Logger // nil discards output lines
	dial func(context.Context, *sshconn.Config) (*sshconn.Client, error)

	mu      sync.Mutex
	cancels map[*context.CancelFunc]struct{}
}

// New returns a provider that streams output to log (which may be nil).
func New(log Logger) *Provider {
	return &Provider{log: log, dial: sshconn.Dial, cancels: map[*context.CancelFunc]struct{}{}}
}

// GetPluginInfo reports the version the SDK asked for, so the engine accepts the stand-in.
func (p *Provider) GetPluginInfo(context.Context) (plugin.PluginInfo, error) {
	v := semver.MustParse(Version)
	return plugin.PluginInfo{Version: &v}, nil
}

// Handshake accepts secrets and resource references; outputs arrive resolved.
func (p *Provider) Handshake(context.Context, plugin.ProviderHandshakeRequest) (*plugin.ProviderHandshakeResponse, error) {
	return &plugin.ProviderHandshakeResponse{AcceptSecrets: true, AcceptResources: true}, nil
}

// GetSchema is refused: the stand-in serves behaviour, not SDK generation.
func (p *Provider) GetSchema(context.Context, plugin.GetSchemaRequest) (plugin.GetSchemaResponse, error) {
	return plugin.GetSchemaResponse{}, errors.New("the offline pulumi-command stand-in does not serve a schema")
}

// CheckConfig accepts the provider configuration as is: pulumi-command has no provider config.
func (p *Provider) CheckConfig(_ context.Context, req plugin.CheckConfigRequest) (plugin.CheckConfigResponse, error) {
	return plugin.CheckConfigResponse{Properties: req.News}, nil
}

// DiffConfig never asks for a provider replacement.
func (p *Provider) DiffConfig(context.Context, plugin.DiffConfigRequest) (plugin.DiffConfigResponse, error) {
	return plugin.DiffResult{Changes: plugin.DiffNone}, nil
}

// Configure has nothing to configure.
func (p *Provider) Configure(context.Context, plugin.ConfigureRequest) (plugin.ConfigureResponse, error) {
	return plugin.ConfigureResponse{}, nil
}

// Invoke refuses the one function of the schema (command:local:run): it is not implemented.
func (p *Provider) Invoke(_ context.Context, req plugin.InvokeRequest) (plugin.InvokeResponse, error) {
	return plugin.InvokeResponse{}, fmt.Errorf("function %q is not supported by the offline pulumi-command stand-in", req.Tok)
}

// SignalCancellation stops the commands in flight.
func (p *Provider) SignalCancellation(context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.cancels {
		(*c)()
	}
	return nil
}

// Close has nothing to release.
func (p *Provider) Close() error { return nil }

// Check validates and defaults the inputs (see spec.Check).
func (p *Provider) Check(_ context.Context, req plugin.CheckRequest) (plugin.CheckResponse, error) {
	props, failures, err := spec.Check(req.Type, req.News)
	if err != nil {
		return plugin.CheckResponse{}, err
	}
	return plugin.CheckResponse{Properties: props, Failures: failures}, nil
}

// Diff compares old and new inputs (see spec.Diff). Old state written without inputs falls back to outputs;
// spec.Diff only looks at input properties.
func (p *Provider) Diff(_ context.Context, req plugin.DiffRequest) (plugin.DiffResponse, error) {
	if !spec.Supported(req.Type) {
		return plugin.DiffResponse{}, fmt.Errorf("resource type %q is not supported by the offline stand-in", req.Type)
	}
	olds := req.OldInputs
	if len(olds) == 0 {
		olds = req.OldOutputs
	}
	return spec.Diff(req.Type, olds, req.NewInputs, req.IgnoreChanges), nil
}

// Read returns the state unchanged: a command cannot be read back, so refresh keeps what is recorded.
func (p *Provider) Read(_ context.Context, req plugin.ReadRequest) (plugin.ReadResponse, error) {
	return plugin.ReadResponse{
		ReadResult: plugin.ReadResult{ID: req.ID, Inputs: req.Inputs, Outputs: req.State},
		Status:     resource.StatusOK,
	}, nil
}

// Create runs the create command (or makes the copy). In preview nothing runs and the outputs are unknown.
func (p *Provider) Create(ctx context.Context, req plugin.CreateRequest) (plugin.CreateResponse, error) {
	if !spec.Supported(req.Type) {
		return plugin.CreateResponse{}, fmt.Errorf("resource type %q is not supported by the offline stand-in", req.Type)
	}
	if req.Preview {
		return plugin.CreateResponse{Properties: previewOutputs(req.Type, req.Properties)}, nil
	}
	ctx, done := p.track(ctx)
	defer done()
	var out resource.PropertyMap
	var err error
	if req.Type == spec.CopyToRemote {
		err = p.copy(ctx, req.Properties)
		out = outputs(req.Type, req.Properties, "", "")
	} else {
		out, err = p.command(ctx, req.Type, req.URN, "create", str(req.Properties, "create"), req.Properties, nil)
	}
	if err != nil {
		return plugin.CreateResponse{}, err
	}
	return plugin.CreateResponse{ID: newID(req.Name), Properties: out, Status: resource.StatusOK}, nil
}

// Update runs update (or create when update is empty) with the new inputs. CopyToRemote never updates: every
// change replaces it.
func (p *Provider) Update(ctx context.Context, req plugin.UpdateRequest) (plugin.UpdateResponse, error) {
	if !spec.IsCommand(req.Type) {
		return plugin.UpdateResponse{}, fmt.Errorf("%s cannot be updated in place (every change replaces it)", req.Type)
	}
	if req.Preview {
		return plugin.UpdateResponse{Properties: previewOutputs(req.Type, req.NewInputs)}, nil
	}
	ctx, done := p.track(ctx)
	defer done()
	cmd := str(req.NewInputs, "update")
	if cmd == "" {
		cmd = str(req.NewInputs, "create")
	}
	out, err := p.command(ctx, req.Type, req.URN, "update", cmd, req.NewInputs, req.OldOutputs)
	if err != nil {
		return plugin.UpdateResponse{}, err
	}
	return plugin.UpdateResponse{Properties: out, Status: resource.StatusOK}, nil
}

// Delete runs the delete command with the recorded inputs; a copy leaves the remote files in place.
func (p *Provider) Delete(ctx context.Context, req plugin.DeleteRequest) (plugin.DeleteResponse, error) {
	if !spec.IsCommand(req.Type) {
		return plugin.DeleteResponse{Status: resource.StatusOK}, nil
	}
	inputs := req.Inputs
	if len(inputs) == 0 {
		inputs = req.Outputs
	}
	cmd := str(inputs, "delete")
	if cmd == "" {
		return plugin.DeleteResponse{Status: resource.StatusOK}, nil
	}
	ctx, done := p.track(ctx)
	defer done()
	if _, err := p.command(ctx, req.Type, req.URN, "delete", cmd, inputs, req.Outputs); err != nil {
		return plugin.DeleteResponse{}, err
	}
	return plugin.DeleteResponse{Status: resource.StatusOK}, nil
}

// track makes ctx cancellable by SignalCancellation.
func (p *Provider) track(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	p.mu.Lock()
	p.cancels[&cancel] = struct{}{}
	p.mu.Unlock()
	return ctx, func() {
		p.mu.Lock()
		delete(p.cancels, &cancel)
		p.mu.Unlock()
		cancel()
	}
}

func newID(name string) resource.ID {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return resource.ID(name + "-" + hex.EncodeToString(b))
}
