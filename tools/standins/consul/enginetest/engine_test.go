package enginetest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/hashicorp/consul/api"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ragmesh/ragmesh/mesh/consul"
	"ragmesh.local/tools/standins/consul/consultest"
)

// toolsDir is the repository's .tools folder, which holds the CLI, the plugins and the shared PULUMI_HOME.
func toolsDir(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "..", ".tools")
	for _, need := range []string{"bin/pulumi", "bin/consul"} {
		if _, err := os.Stat(filepath.Join(dir, need)); err != nil {
			t.Skipf("%s is missing: build the offline toolchain first", need)
		}
	}
	return dir
}

// pluginInstalled reports whether PULUMI_HOME has the consul 3.15.1 plugin the binding asks for.
func requirePlugin(t *testing.T, tools, home string) {
	t.Helper()
	out, err := exec.Command(filepath.Join(tools, "bin", "pulumi"), "plugin", "ls").CombinedOutput()
	require.NoError(t, err, string(out))
	for line := range strings.Lines(string(out)) {
		if f := strings.Fields(line); len(f) >= 3 && f[0] == "consul" && f[2] == consul.PluginVersion {
			return
		}
	}
	t.Skipf("consul %s plugin not in %s: run `pulumi plugin install resource consul %s --file "+
		".tools/bin/pulumi-resource-consul`", consul.PluginVersion, home, consul.PluginVersion)
}

// mesh is the program under test: a provider bound to the agent, an intentions entry, a policy, a token with
// a service identity, and the token's secret ID as a secret stack output.
func mesh(agent *consultest.Agent, appAction string) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		provider, err := consul.NewProvider(ctx, "server", &consul.ProviderArgs{
			Address: pulumi.String(agent.Address),
			Scheme:  pulumi.String("http"),
			Token:   pulumi.String(agent.Token),
		})
		if err != nil {
			return err
		}
		onServer := pulumi.Provider(provider)
		intentions, err := consul.NewConfigEntryServiceIntentions(ctx, "chroma", &consul.ConfigEntryServiceIntentionsArgs{
			Name: pulumi.String("chroma"),
			Sources: consul.ConfigEntryServiceIntentionsSourceArray{
				consul.ConfigEntryServiceIntentionsSourceArgs{
					Name: pulumi.String("app"), Action: pulumi.String(appAction), Description: pulumi.String("app queries"),
				},
				consul.ConfigEntryServiceIntentionsSourceArgs{Name: pulumi.String("*"), Action: pulumi.String("deny")},
			},
		}, onServer)
		if err != nil {
			return err
		}
		policy, err := consul.NewAclPolicy(ctx, "app-extra", &consul.AclPolicyArgs{
			Name:  pulumi.String("app-extra"),
			Rules: pulumi.String(`key_prefix "app/" { policy = "read" }`),
		}, onServer)
		if err != nil {
			return err
		}
		token, err := consul.NewAclToken(ctx, "app", &consul.AclTokenArgs{
			Description: pulumi.String("app service"),
			Policies:    pulumi.StringArray{policy.Name},
			ServiceIdentities: consul.AclTokenServiceIdentityArray{
				consul.AclTokenServiceIdentityArgs{ServiceName: pulumi.String("app")},
			},
		}, onServer)
		if err != nil {
			return err
		}
		secret := consul.GetAclTokenSecretIdOutput(ctx, consul.GetAclTokenSecretIdOutputArgs{
			AccessorId: token.AccessorId,
		}, onServer)
		ctx.Export("intentionsName", intentions.Name)
		ctx.Export("accessorId", token.AccessorId)
		ctx.Export("appToken", secret.SecretId())
		return nil
	}
}

func TestEngineRunsTheStandInThroughTheBinding(t *testing.T) {
	tools := toolsDir(t)
	home := filepath.Join(tools, "pulumi-home")
	t.Setenv("PATH", filepath.Join(tools, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("PULUMI_HOME", home)
	t.Setenv("PULUMI_SKIP_UPDATE_CHECK", "true")
	t.Setenv("PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION", "true")
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "ragmesh-local-dev")
	requirePlugin(t, tools, home)

	agent := consultest.Start(t, true)
	ctx := context.Background()
	state := t.TempDir()
	stack, err := auto.UpsertStackInlineSource(ctx, "dev", "consul-standin", mesh(agent, "allow"),
		auto.WorkDir(t.TempDir()),
		auto.SecretsProvider("passphrase"),
		auto.Project(workspace.Project{
			Name:    "consul-standin",
			Runtime: workspace.NewProjectRuntimeInfo("go", nil),
			Backend: &workspace.ProjectBackend{URL: "file://" + state},
		}))
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = stack.Destroy(ctx) })

	preview, err := stack.Preview(ctx, optpreview.Diff())
	require.NoError(t, err, "a preview runs with unknown outputs")
	assert.Equal(t, 5, preview.ChangeSummary[apitype.OpCreate], preview.StdOut)

	up, err := stack.Up(ctx)
	require.NoError(t, err)
	assert.Equal(t, 5, (*up.Summary.ResourceChanges)["create"], up.StdOut)

	entry, _, err := agent.Client.ConfigEntries().Get(api.ServiceIntentions, "chroma", nil)
	require.NoError(t, err, "the engine created the entry in Consul")
	sources := entry.(*api.ServiceIntentionsConfigEntry).Sources
	require.Len(t, sources, 2)
	assert.Equal(t, "app", sources[0].Name)
	assert.Equal(t, api.IntentionActionDeny, sources[1].Action)

	accessorID := up.Outputs["accessorId"].Value.(string)
	live, _, err := agent.Client.ACL().TokenRead(accessorID, nil)
	require.NoError(t, err)
	assert.Equal(t, "app-extra", live.Policies[0].Name)
	assert.True(t, up.Outputs["appToken"].Secret, "the token's secret ID is a secret output")
	assert.Equal(t, live.SecretID, up.Outputs["appToken"].Value)
	stateFiles, err := filepath.Glob(filepath.Join(state, ".pulumi", "stacks", "*", "dev.json"))
	require.NoError(t, err)
	require.Len(t, stateFiles, 1)
	stored, err := os.ReadFile(stateFiles[0])
	require.NoError(t, err)
	assert.Contains(t, string(stored), accessorID)
	assert.False(t, strings.Contains(string(stored), live.SecretID), "the token secret is not stored in plain text")
	assert.False(t, strings.Contains(string(stored), agent.Token), "the provider token is not stored in plain text")

	again, err := stack.Up(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"same": 5}, *again.Summary.ResourceChanges, "a second up changes nothing")

	_, err = stack.Refresh(ctx, optrefresh.ExpectNoChanges())
	require.NoError(t, err, "a refresh finds no drift")

	stack.Workspace().SetProgram(mesh(agent, "deny"))
	changed, err := stack.Up(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"same": 4, "update": 1}, *changed.Summary.ResourceChanges,
		"a changed source updates the entry in place")
	entry, _, err = agent.Client.ConfigEntries().Get(api.ServiceIntentions, "chroma", nil)
	require.NoError(t, err)
	assert.Equal(t, api.IntentionActionDeny, entry.(*api.ServiceIntentionsConfigEntry).Sources[0].Action)

	_, err = stack.Destroy(ctx, optdestroy.Remove())
	require.NoError(t, err)
	_, _, err = agent.Client.ConfigEntries().Get(api.ServiceIntentions, "chroma", nil)
	require.ErrorContains(t, err, "404", "destroy removed the entry")
	_, _, err = agent.Client.ACL().TokenRead(accessorID, nil)
	require.Error(t, err, "destroy removed the token")
}
