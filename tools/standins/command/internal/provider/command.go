package provider

import (
	"context"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"

	"ragmesh.local/tools/standins/command/internal/run"
	"ragmesh.local/tools/standins/command/internal/spec"
	"ragmesh.local/tools/standins/command/internal/sshconn"
	"ragmesh.local/tools/standins/command/internal/upload"
)

// command runs one command text for a Command resource and returns its outputs. An empty text runs nothing
// and yields empty stdout and stderr, as the real provider does. prev holds the previous outputs for
// PULUMI_COMMAND_STDOUT/STDERR.
func (p *Provider) command(ctx context.Context, t tokens.Type, urn resource.URN, op, text string,
	inputs, prev resource.PropertyMap,
) (resource.PropertyMap, error) {
	if text == "" {
		return outputs(t, inputs, "", ""), nil
	}
	req := run.Request{
		Op:      op,
		Command: text,
		Env:     strMap(inputs, "environment"),
		Logging: str(inputs, "logging"),
	}
	if s, ok := optStr(inputs, "stdin"); ok {
		req.Stdin = &s
	}
	if prev != nil && boolOr(inputs, "addPreviousOutputInEnv", true) {
		req.PrevEnv = map[string]string{
			"PULUMI_COMMAND_STDOUT": str(prev, "stdout"),
			"PULUMI_COMMAND_STDERR": str(prev, "stderr"),
		}
	}
	if p.log != nil && req.Logging != spec.LogNone {
		req.Line = func(_, line string) { _ = p.log.LogStatus(ctx, diag.Info, urn, line) }
	}

	var out run.Output
	var err error
	if t == spec.LocalCommand {
		out, err = run.Local(ctx, run.LocalRequest{
			Request: req, Interpreter: strList(inputs, "interpreter"), Dir: str(inputs, "dir"),
		})
	} else {
		var client *sshconn.Client
		client, err = p.connect(ctx, inputs)
		if err != nil {
			return nil, err
		}
		defer func() { _ = client.Close() }()
		out, err = run.Remote(ctx, client.Client, req)
	}
	if err != nil {
		return nil, err
	}
	return outputs(t, inputs, out.Stdout, out.Stderr), nil
}

// copy performs a CopyToRemote.
func (p *Provider) copy(ctx context.Context, inputs resource.PropertyMap) error {
	client, err := p.connect(ctx, inputs)
	if err != nil {
		return err
	}
	defer func() { _ = client.Close() }()
	return upload.Copy(ctx, client.Client, inputs["source"], str(inputs, "remotePath"))
}

func (p *Provider) connect(ctx context.Context, inputs resource.PropertyMap) (*sshconn.Client, error) {
	cfg, err := sshconn.FromProperty(inputs["connection"])
	if err != nil {
		return nil, err
	}
	client, err := p.dial(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", cfg.Addr(), err)
	}
	return client, nil
}

// outputs echoes the inputs and adds stdout/stderr for commands. connection is secret as the schema says; the
// captured output is secret when any input is.
func outputs(t tokens.Type, inputs resource.PropertyMap, stdout, stderr string) resource.PropertyMap {
	out := inputs.Copy()
	if c, ok := out["connection"]; ok && !c.IsSecret() && !c.IsComputed() {
		out["connection"] = resource.MakeSecret(c)
	}
	if !spec.IsCommand(t) {
		return out
	}
	so, se := resource.NewProperty(stdout), resource.NewProperty(stderr)
	if inputs.ContainsSecrets() {
		so, se = resource.MakeSecret(so), resource.MakeSecret(se)
	}
	out["stdout"], out["stderr"] = so, se
	return out
}

// previewOutputs is outputs with stdout and stderr unknown.
func previewOutputs(t tokens.Type, inputs resource.PropertyMap) resource.PropertyMap {
	out := outputs(t, inputs, "", "")
	if spec.IsCommand(t) {
		unknown := resource.MakeComputed(resource.NewProperty(""))
		out["stdout"], out["stderr"] = unknown, unknown
	}
	return out
}

func plain(m resource.PropertyMap, k string) resource.PropertyValue {
	v := m[resource.PropertyKey(k)]
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	return v
}

func optStr(m resource.PropertyMap, k string) (string, bool) {
	v := plain(m, k)
	if v.IsString() {
		return v.StringValue(), true
	}
	return "", false
}

func str(m resource.PropertyMap, k string) string {
	s, _ := optStr(m, k)
	return s
}

func boolOr(m resource.PropertyMap, k string, def bool) bool {
	v := plain(m, k)
	if v.IsBool() {
		return v.BoolValue()
	}
	return def
}

func strList(m resource.PropertyMap, k string) []string {
	v := plain(m, k)
	if !v.IsArray() {
		return nil
	}
	var out []string
	for _, e := range v.ArrayValue() {
		e = spec.Plain(e)
		if e.IsString() {
			out = append(out, e.StringValue())
		}
	}
	return out
}

func strMap(m resource.PropertyMap, k string) map[string]string {
	v := plain(m, k)
	if !v.IsObject() {
		return nil
	}
	out := map[string]string{}
	for mk, e := range v.ObjectValue() {
		e = spec.Plain(e)
		if e.IsString() {
			out[string(mk)] = e.StringValue()
		}
	}
	return out
}
