package program

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The stack outputs are an API: other stacks read them by name through StackReference. This file pins every
// name and type, so a rename or a type change fails here and shows up as a reviewed change to this table (and
// to the README's outputs table, which a test below keeps in step).

// output is one pinned stack output.
type output struct {
	Type   string // Go element type of the exported value
	Secret bool
}

// everyStack are the outputs of every stack, whatever the host source.
var everyStack = map[string]output{
	"consulDatacenter":      {Type: "string"},
	"consulServerAddresses": {Type: "[]string"},
	"appAddresses":          {Type: "[]string"},
	"chromaAddress":         {Type: "string"},
	"consulCaCert":          {Type: "string"},
	"chromaUpstream":        {Type: "string"},
	"appEnvFile":            {Type: "string"},
	"meshServices":          {Type: "map[string]string"},
	"allowedIntentions":     {Type: "[]string"},
	"selfCheck":             {Type: "map[string]interface {}"},
}

// azureOnly are added by the Azure host source, whether it creates the network or reads it from a network stack.
var azureOnly = map[string]output{
	"resourceGroupName": {Type: "string"},
	"vnetId":            {Type: "string"},
	"appSubnetId":       {Type: "string"},
	"dataSubnetId":      {Type: "string"},
}

// optIn are exported only when a setting asks for them.
var optIn = map[string]output{
	"consulManagementToken": {Type: "string", Secret: true}, // exportManagementToken=true
}

func TestOutputNameConstantsArePinned(t *testing.T) {
	constants := map[string]string{
		OutputResourceGroupName: "resourceGroupName", OutputVnetID: "vnetId", OutputAppSubnetID: "appSubnetId",
		OutputDataSubnetID: "dataSubnetId", OutputDatacenter: "consulDatacenter",
		OutputConsulServerAddresses: "consulServerAddresses", OutputAppAddresses: "appAddresses",
		OutputChromaAddress: "chromaAddress", OutputConsulCACert: "consulCaCert", OutputChromaUpstream: "chromaUpstream",
		OutputAppEnvFile: "appEnvFile", OutputMeshServices: "meshServices", OutputAllowedIntentions: "allowedIntentions",
		OutputSelfCheck: "selfCheck", OutputManagementToken: "consulManagementToken",
	}
	for got, want := range constants {
		assert.Equal(t, want, got)
	}
	assert.Len(t, constants, len(everyStack)+len(azureOnly)+len(optIn), "every constant is in the pinned tables")
}

func TestGivenHostsStackExportsExactlyThePinnedOutputs(t *testing.T) {
	got := run(t, givenSettings())
	assert.Equal(t, everyStack, types(got))
	assert.Equal(t, []any{"10.0.1.5", "10.0.1.6"}, got["appAddresses"].Value)
	assert.Equal(t, []any{"10.0.1.4"}, got["consulServerAddresses"].Value)
	assert.Equal(t, "10.0.2.4", got["chromaAddress"].Value)
	assert.Equal(t, "127.0.0.1:8001", got["chromaUpstream"].Value)
	assert.Equal(t, "dc1", got["consulDatacenter"].Value)
	assert.Equal(t, map[string]any{"app": "django-app", "vectorStore": "chromadb"}, got["meshServices"].Value)
	assert.Equal(t, []any{"django-app -> chromadb"}, got["allowedIntentions"].Value)
	assert.Equal(t, true, got["selfCheck"].Value.(map[string]any)["passed"])
}

func TestAzureStackExportsThePinnedOutputsAndTheNetwork(t *testing.T) {
	got := run(t, azureSettings())
	want := merge(everyStack, azureOnly)
	assert.Equal(t, want, types(got))
	assert.Equal(t, "ragmesh-test-rg", got["resourceGroupName"].Value)
	assert.Contains(t, got["vnetId"].Value, "VirtualNetwork/network-vnet", "the VNet this stack created")
}

func TestNetworkStackModeExportsTheSameOutputs(t *testing.T) {
	s := azureSettings()
	s["networkStack"] = `{"stack":"platform/network/prod"}`
	got := run(t, s)
	assert.Equal(t, merge(everyStack, azureOnly), types(got))
	assert.Equal(t, sharedVnet, got["vnetId"].Value, "passed through from the network stack")
	assert.Equal(t, sharedVnet+"/subnets/data", got["dataSubnetId"].Value)
}

func TestManagementTokenIsExportedOnlyOnRequestAndSecret(t *testing.T) {
	s := givenSettings()
	s["exportManagementToken"] = "true"
	got := run(t, s)
	assert.Equal(t, merge(everyStack, optIn), types(got))
	assert.True(t, got["consulManagementToken"].Secret)
}

// readmeType is how the README's outputs table spells a pinned output's type.
func readmeType(o output) string {
	t := map[string]string{"string": "string", "[]string": "string[]", "map[string]string": "map", "map[string]interface {}": "object"}[o.Type]
	if o.Secret {
		return "secret " + t
	}
	return t
}

// TestREADMEDocumentsEveryOutput keeps the README's outputs table (§ Stack outputs: name | type | meaning; a
// row may list several names) in step with the pinned tables.
func TestREADMEDocumentsEveryOutput(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	if os.IsNotExist(err) {
		t.Skip("no README.md")
	}
	require.NoError(t, err)
	_, section, found := strings.Cut(string(raw), "\n## Stack outputs\n")
	require.True(t, found, "README.md has a § Stack outputs")
	section, _, _ = strings.Cut(section, "\n## ")
	documented := map[string]string{}
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || strings.HasPrefix(strings.TrimSpace(cells[1]), "---") {
			continue
		}
		for _, name := range strings.Split(cells[1], ",") {
			documented[strings.Trim(strings.TrimSpace(name), "`")] = strings.Trim(strings.TrimSpace(cells[2]), "`")
		}
	}
	all := merge(merge(everyStack, azureOnly), optIn)
	for name, o := range all {
		if assert.Contains(t, documented, name, "README § Stack outputs lacks %s", name) {
			assert.Equal(t, readmeType(o), documented[name], "README § Stack outputs: type of %s", name)
		}
	}
	for name := range documented {
		if name != "Output" {
			assert.Contains(t, all, name, "README § Stack outputs documents %s, which the program does not export", name)
		}
	}
}

// TestConsumerExampleReadsPinnedOutputs keeps examples/consumer (its own module, so not importable here) on
// the pinned names: every out* constant it declares must be a pinned output.
func TestConsumerExampleReadsPinnedOutputs(t *testing.T) {
	file, err := parser.ParseFile(token.NewFileSet(), "../examples/consumer/mesh.go", nil, 0)
	require.NoError(t, err)
	pinned := merge(merge(everyStack, azureOnly), optIn)
	read := 0
	ast.Inspect(file, func(n ast.Node) bool {
		spec, ok := n.(*ast.ValueSpec)
		if !ok {
			return true
		}
		for i, name := range spec.Names {
			if !strings.HasPrefix(name.Name, "out") || i >= len(spec.Values) {
				continue
			}
			lit, ok := spec.Values[i].(*ast.BasicLit)
			require.True(t, ok, "%s is a string literal", name.Name)
			value, err := strconv.Unquote(lit.Value)
			require.NoError(t, err)
			assert.Contains(t, pinned, value, "examples/consumer reads %s = %q", name.Name, value)
			read++
		}
		return true
	})
	assert.NotZero(t, read, "examples/consumer/mesh.go declares the outputs it reads as out* constants")
}

// --- running the program under mocks -------------------------------------------------------------------

const (
	testSubscription = "11111111-2222-3333-4444-555555555555"
	sharedVnet       = "/subscriptions/" + testSubscription + "/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/hub"
	testPublicKey    = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO3rVGg+sBOBjEn8V/AXHnPD1tvIoWRcdsmCCWBlEBqq operator@example"
)

func givenSettings() map[string]string {
	return map[string]string{
		"hostSource": "given",
		"hosts": `[{"role":"consul-server","name":"consul","address":"10.0.1.4"},` +
			`{"role":"app","name":"app","address":"10.0.1.5"},{"role":"app","name":"app-2","address":"10.0.1.6"},` +
			`{"role":"chroma","name":"chroma","address":"10.0.2.4"}]`,
		"sshPrivateKey": "-----BEGIN OPENSSH PRIVATE KEY-----\nnot a real key\n-----END OPENSSH PRIVATE KEY-----",
	}
}

func azureSettings() map[string]string {
	return map[string]string{
		"operatorCidr":  "10.20.0.0/24",
		"sshPublicKey":  testPublicKey,
		"sshPrivateKey": "-----BEGIN OPENSSH PRIVATE KEY-----\nnot a real key\n-----END OPENSSH PRIVATE KEY-----",
	}
}

// run executes Run as `pulumi up` would, with the settings as stack config, and returns the resolved exports.
func run(t *testing.T, settings map[string]string) map[string]resolved {
	t.Helper()
	cfg := map[string]string{}
	for k, v := range settings {
		cfg["ragmesh:"+k] = v
	}
	raw, err := json.Marshal(cfg)
	require.NoError(t, err)
	t.Setenv(pulumi.EnvConfig, string(raw))
	t.Setenv(pulumi.EnvConfigSecretKeys, `["ragmesh:sshPrivateKey"]`)

	got := map[string]resolved{}
	err = pulumi.RunErr(func(ctx *pulumi.Context) error {
		if err := Run(ctx); err != nil {
			return err
		}
		for name, v := range ctx.GetCurrentExportMap() {
			r, err := internals.UnsafeAwaitOutput(context.Background(), pulumi.ToOutput(v))
			if err != nil {
				return fmt.Errorf("output %s: %w", name, err)
			}
			got[name] = resolved{Type: v.ElementType().String(), Known: r.Known, Secret: r.Secret, Value: plain(r.Value)}
		}
		return nil
	}, pulumi.WithMocks("ragmesh", "test", &mocks{}))
	require.NoError(t, err)
	for name, r := range got {
		assert.True(t, r.Known, "%s is known after an update", name)
	}
	return got
}

// resolved is one export after the update.
type resolved struct {
	Type          string
	Known, Secret bool
	Value         any
}

func types(got map[string]resolved) map[string]output {
	out := map[string]output{}
	for name, r := range got {
		out[name] = output{Type: r.Type, Secret: r.Secret}
	}
	return out
}

func merge(a, b map[string]output) map[string]output {
	out := map[string]output{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// plain turns a resolved value into the JSON shapes a StackReference hands a consumer.
func plain(v any) any {
	raw, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if json.Unmarshal(raw, &out) != nil {
		return v
	}
	return out
}

// mocks plays the engine and every provider: resources echo their inputs (commands print a passed check), the
// Azure NICs get addresses, the platform network stack answers its StackReference.
type mocks struct{ nic int }

func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	out := args.Inputs.Copy()
	switch {
	case args.TypeToken == "pulumi:pulumi:StackReference":
		return args.ID, resource.PropertyMap{
			"name": resource.NewProperty(args.ID),
			"outputs": resource.NewProperty(resource.NewPropertyMapFromMap(map[string]any{
				"vnetId": sharedVnet, "appSubnetId": sharedVnet + "/subnets/app", "dataSubnetId": sharedVnet + "/subnets/data",
			})),
			"secretOutputNames": resource.NewProperty([]resource.PropertyValue{}),
		}, nil
	case strings.HasPrefix(args.TypeToken, "command:"):
		// One JSON line: what the self-check prints as its result; other commands' output is not parsed.
		out["stdout"] = resource.NewProperty(`{"mode":"check","host":"` + args.Name + `","checkedAt":"2030-01-02T03:04:05Z","passed":true,"checks":[]}`)
	case args.TypeToken == "azure-native:network:NetworkInterface":
		m.nic++
		cfgs := out["ipConfigurations"].ArrayValue()
		first := cfgs[0].ObjectValue().Copy()
		first["privateIPAddress"] = resource.NewProperty(fmt.Sprintf("10.0.1.%d", 3+m.nic))
		cfgs[0] = resource.NewProperty(first)
		out["ipConfigurations"] = resource.NewProperty(cfgs)
	case args.TypeToken == "azure-native:compute:VirtualMachine":
		out["identity"] = resource.NewProperty(resource.PropertyMap{"principalId": resource.NewProperty("principal-" + args.Name)})
	}
	if v, ok := out["resourceGroupName"]; ok && args.TypeToken == "azure-native:resources:ResourceGroup" {
		out["name"] = v
	}
	if v, ok := out["virtualNetworkName"]; ok && args.TypeToken == "azure-native:network:VirtualNetwork" {
		out["name"] = v
	}
	return "/subscriptions/" + testSubscription + "/mock/" + args.TypeToken + "/" + args.Name, out, nil
}

func (m *mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	switch args.Token {
	case "azure-native:authorization:getClientConfig":
		return resource.NewPropertyMapFromMap(map[string]any{"subscriptionId": testSubscription, "tenantId": "t", "clientId": "c", "objectId": "o"}), nil
	case "azure-native:network:getVirtualNetwork":
		return resource.NewPropertyMapFromMap(map[string]any{
			"id": sharedVnet, "name": "hub", "location": "westeurope",
			"addressSpace": map[string]any{"addressPrefixes": []any{"10.0.0.0/16"}},
		}), nil
	}
	return resource.PropertyMap{}, nil
}
