package runenv

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNamesMatchSDK(t *testing.T) {
	assert.Equal(t, pulumi.EnvOrganization, Organization)
	assert.Equal(t, pulumi.EnvProject, Project)
	assert.Equal(t, pulumi.EnvPulumiRootDirectory, RootDirectory)
	assert.Equal(t, pulumi.EnvStack, Stack)
	assert.Equal(t, pulumi.EnvConfig, Config)
	assert.Equal(t, pulumi.EnvConfigSecretKeys, ConfigSecretKeys)
	assert.Equal(t, pulumi.EnvParallel, Parallel)
	assert.Equal(t, pulumi.EnvDryRun, DryRun)
	assert.Equal(t, pulumi.EnvMonitor, Monitor)
	assert.Equal(t, pulumi.EnvEngine, Engine)
}

func lookup(vars []string, name string) (string, bool) {
	for _, kv := range vars {
		if k, v, _ := strings.Cut(kv, "="); k == name {
			return v, true
		}
	}
	return "", false
}

func TestVarsEncodesEverySetting(t *testing.T) {
	vars, err := Settings{
		Organization:     "org",
		Project:          "proj",
		RootDirectory:    "/src/proj",
		Stack:            "dev",
		Config:           map[string]string{"proj:name": "a \"quoted\" value"},
		ConfigSecretKeys: []string{"proj:token"},
		Parallel:         16,
		DryRun:           true,
		MonitorAddress:   "127.0.0.1:1",
		EngineAddress:    "127.0.0.1:2",
	}.Vars()
	require.NoError(t, err)

	want := map[string]string{
		Organization:     "org",
		Project:          "proj",
		RootDirectory:    "/src/proj",
		Stack:            "dev",
		Config:           `{"proj:name":"a \"quoted\" value"}`,
		ConfigSecretKeys: `["proj:token"]`,
		Parallel:         "16",
		DryRun:           "true",
		Monitor:          "127.0.0.1:1",
		Engine:           "127.0.0.1:2",
	}
	assert.Len(t, vars, len(want))
	for k, v := range want {
		got, ok := lookup(vars, k)
		assert.True(t, ok, k)
		assert.Equal(t, v, got, k)
	}
}

func TestVarsEmptyConfigIsValidJSON(t *testing.T) {
	vars, err := Settings{Project: "p", Stack: "s"}.Vars()
	require.NoError(t, err)
	cfg, _ := lookup(vars, Config)
	keys, _ := lookup(vars, ConfigSecretKeys)
	assert.Equal(t, "{}", cfg)
	assert.Equal(t, "[]", keys)
}

func TestMergeReplacesInheritedValues(t *testing.T) {
	base := []string{"PATH=/bin", "PULUMI_CONFIG={\"stale\":\"1\"}", "HOME=/root"}
	got := Merge(base, []string{"PULUMI_CONFIG={}", "PULUMI_STACK=dev"})
	assert.Equal(t, []string{"PATH=/bin", "HOME=/root", "PULUMI_CONFIG={}", "PULUMI_STACK=dev"}, got)
}

type mocks struct{}

func (mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	return args.Name + "-id", args.Inputs, nil
}

func (mocks) Call(pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

// TestSDKReadsTheEnvironment runs a real pulumi.RunErr (against mocks instead of an engine)
// with the variables Vars produces, and checks what the program sees.
func TestSDKReadsTheEnvironment(t *testing.T) {
	vars, err := Settings{
		Organization:     "acme",
		Project:          "envproj",
		RootDirectory:    "/work/envproj",
		Stack:            "qa",
		Config:           map[string]string{"envproj:greeting": "hello", "envproj:token": "s3cret"},
		ConfigSecretKeys: []string{"envproj:token"},
		Parallel:         7,
		DryRun:           true,
	}.Vars()
	require.NoError(t, err)
	for _, kv := range vars {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}

	onlyMocks := func(info *pulumi.RunInfo) { info.Mocks = mocks{} }
	var seen struct {
		org, project, stack, root, greeting string
		parallel                            int32
		dryRun, tokenSecret, greetingSecret bool
	}
	err = pulumi.RunErr(func(ctx *pulumi.Context) error {
		seen.org = ctx.Organization()
		seen.project = ctx.Project()
		seen.stack = ctx.Stack()
		seen.root = ctx.RootDirectory()
		seen.parallel = ctx.Parallel()
		seen.dryRun = ctx.DryRun()
		seen.greeting = config.Get(ctx, "greeting")
		seen.tokenSecret = ctx.IsConfigSecret("envproj:token")
		seen.greetingSecret = ctx.IsConfigSecret("envproj:greeting")
		return nil
	}, onlyMocks)
	require.NoError(t, err)

	assert.Equal(t, "acme", seen.org)
	assert.Equal(t, "envproj", seen.project)
	assert.Equal(t, "qa", seen.stack)
	assert.Equal(t, "/work/envproj", seen.root)
	assert.Equal(t, int32(7), seen.parallel)
	assert.True(t, seen.dryRun)
	assert.Equal(t, "hello", seen.greeting)
	assert.True(t, seen.tokenSecret)
	assert.False(t, seen.greetingSecret)
}
