package selfcheck

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi-command/sdk/go/command/remote"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ragmesh/ragmesh/config"
	"github.com/ragmesh/ragmesh/hosts"
	"github.com/ragmesh/ragmesh/mesh/consul"
)

type registered struct {
	name   string
	inputs resource.PropertyMap
	deps   []string
}

type mocks struct {
	mu   sync.Mutex
	regs map[string][]registered
}

const passedStdout = `{"mode":"check","host":"app","checkedAt":"2030-01-02T03:04:05Z","passed":true,"hops":[],"checks":[{"name":"heartbeat via 127.0.0.1:8001","expect":"answers","ok":true,"detail":"{}"}],"finding":null}`

func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.regs == nil {
		m.regs = map[string][]registered{}
	}
	m.regs[args.TypeToken] = append(m.regs[args.TypeToken], registered{args.Name, args.Inputs, args.RegisterRPC.GetDependencies()})
	out := args.Inputs.Copy()
	if strings.HasSuffix(args.Name, "-selfcheck") {
		out["stdout"] = resource.NewProperty("report lines go to stderr\n" + passedStdout)
	}
	if args.TypeToken == consul.AclTokenType {
		out["accessorId"] = resource.NewProperty("accessor")
	}
	return args.Name + "-id", out, nil
}

func (m *mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{"accessorId": args.Args["accessorId"], "id": args.Args["accessorId"],
		"secretId": resource.NewProperty("the-secret"), "encryptedSecretId": resource.NewProperty("")}, nil
}

func (m *mocks) named(token, suffix string) []registered {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []registered
	for _, r := range m.regs[token] {
		if strings.HasSuffix(r.name, suffix) {
			out = append(out, r)
		}
	}
	return out
}

var specs = []hosts.Spec{
	{Role: "consul-server", Name: "consul", Address: "10.0.1.4"},
	{Role: "app", Name: "app-0", Address: "10.0.1.5", User: "ops", Port: 2222},
	{Role: "app", Name: "app-1", Address: "10.0.1.6"},
	{Role: "chroma", Name: "chroma", Address: "10.0.2.4"},
}

// deploy runs New in a mocked engine with a checked step and returns what was registered and the output.
func deploy(t *testing.T, enabled, acl bool) (*mocks, Output) {
	t.Helper()
	m := &mocks{}
	var out Output
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		set := hosts.Given(specs, pulumi.String("PRIVATE KEY"))
		agent, err := remote.NewCommand(ctx, "agent", &remote.CommandArgs{Connection: set[1].Connection, Create: pulumi.String("true")})
		if err != nil {
			return err
		}
		var provider *consul.Provider
		if acl {
			if provider, err = consul.NewProvider(ctx, "consul", &consul.ProviderArgs{Address: pulumi.String("10.0.1.4:8501")}); err != nil {
				return err
			}
		}
		s, err := New(ctx, "selfcheck", Args{Hosts: set, Enabled: enabled, Checked: []pulumi.Resource{agent}, Provider: provider,
			Intentions: []config.Intention{{Source: "django-app", Destination: "chromadb"}}})
		if err != nil {
			return err
		}
		v, err := internals.UnsafeAwaitOutput(ctx.Context(), s.Output)
		if err != nil {
			return err
		}
		assert.False(t, v.Secret, "the output holds no secret, so it must not be one")
		remarshalTo(t, v.Value, &out)
		return nil
	}, pulumi.WithMocks("ragmesh", "test", m))
	require.NoError(t, err)
	return m, out
}

func TestCheckRunsOnEveryAppHostAfterWhatItChecks(t *testing.T) {
	m, out := deploy(t, true, false)
	checks := m.named("command:remote:Command", "-selfcheck")
	require.Len(t, checks, 2, "one check per app host")
	agentURN := "urn:pulumi:test::ragmesh::command:remote:Command::agent"
	for _, c := range checks {
		assert.Equal(t, "sudo -n /usr/bin/env python3 - check", c.inputs["create"].StringValue())
		assert.Equal(t, "stderr", c.inputs["logging"].StringValue(), "the report is logged, the JSON result is not")
		assert.Contains(t, c.inputs["stdin"].StringValue(), `CHROMA_ADDRESS = "10.0.2.4"`)
		assert.Contains(t, c.deps, agentURN, "the check runs after the steps it proves")
		var triggers []string
		for _, v := range c.inputs["triggers"].ArrayValue() {
			triggers = append(triggers, v.StringValue())
		}
		assert.Contains(t, triggers, "agent-id", "a replaced step (new ID) runs the check again")
		assert.Contains(t, triggers, "django-app -> chromadb", "a changed intention list runs the check again")
	}
	assert.Empty(t, m.named(consul.AclTokenType, ""), "no ACL provider, no token")

	assert.True(t, out.Enabled)
	assert.True(t, out.Passed)
	assert.Equal(t, "2030-01-02T03:04:05Z", out.CheckedAt)
	require.Contains(t, out.Hosts, "app-0")
	require.Len(t, out.Targets, 2)
	assert.Equal(t, Target{Host: "app-0", Address: "10.0.1.5", User: "ops", Port: 2222, Params: out.Targets[0].Params}, out.Targets[0])
	assert.Equal(t, "django-app-app-0", out.Targets[0].Params.AppServiceID)
	assert.Equal(t, "root", out.Targets[1].User)
}

func TestDisabledCheckRunsNothingButKeepsTheTargets(t *testing.T) {
	m, out := deploy(t, false, true)
	assert.Empty(t, m.named("command:remote:Command", "-selfcheck"))
	assert.Empty(t, m.named(consul.AclTokenType, ""))
	assert.False(t, out.Enabled)
	assert.False(t, out.Passed)
	assert.Len(t, out.Targets, 2, "make diagnose still works with the check switched off")
}

func TestWithACLsTheCheckGetsItsOwnTokenInstalledSecretly(t *testing.T) {
	m, _ := deploy(t, true, true)
	policies := m.named(consul.AclPolicyType, "")
	require.Len(t, policies, 1)
	assert.Equal(t, PolicyName, policies[0].inputs["name"].StringValue())
	require.Len(t, m.named(consul.AclTokenType, ""), 1)
	installs := m.named("command:remote:Command", "-selfcheck-token")
	require.Len(t, installs, 2)
	for _, i := range installs {
		assert.True(t, i.inputs["stdin"].IsSecret(), "the token travels as a secret")
		assert.Contains(t, i.inputs["stdin"].SecretValue().Element.StringValue(), "the-secret")
		assert.Equal(t, "none", i.inputs["logging"].StringValue())
	}
	for _, c := range m.named("command:remote:Command", "-selfcheck") {
		assert.NotContains(t, c.inputs["stdin"].StringValue(), "the-secret", "the check script reads the token from its file")
	}
}

func remarshalTo(t *testing.T, in, out any) {
	t.Helper()
	b, err := json.Marshal(in)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, out))
}
