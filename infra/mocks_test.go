package infra

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi-command/sdk/go/command/remote"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
	"github.com/stretchr/testify/require"

	"github.com/ragmesh/ragmesh/config"
	"github.com/ragmesh/ragmesh/hosts"
)

const (
	testSubscription = "11111111-2222-3333-4444-555555555555"
	testKey          = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO3rVGg+sBOBjEn8V/AXHnPD1tvIoWRcdsmCCWBlEBqq operator@example"
	testPrivateKey   = "-----BEGIN OPENSSH PRIVATE KEY-----\ntest\n-----END OPENSSH PRIVATE KEY-----"
)

// Azure resource type tokens the tests look for.
const (
	tResourceGroup  = "azure-native:resources:ResourceGroup"
	tVnet           = "azure-native:network:VirtualNetwork"
	tSubnet         = "azure-native:network:Subnet"
	tNSG            = "azure-native:network:NetworkSecurityGroup"
	tNIC            = "azure-native:network:NetworkInterface"
	tVM             = "azure-native:compute:VirtualMachine"
	tDisk           = "azure-native:compute:Disk"
	tRoleAssignment = "azure-native:authorization:RoleAssignment"
)

// registered is one resource as the engine would have seen it.
type registered struct {
	Type, Name, URN string
	Inputs          map[string]any
	Protect         bool
	RetainOnDelete  bool
	DeleteFirst     bool
	Parent          string
	Dependencies    []string
}

// azureMocks plays the engine and the azure-native provider. In preview mode it leaves every output the
// provider computes (ids, private addresses, principal ids) unknown, as a real preview does.
type azureMocks struct {
	preview bool
	mu      sync.Mutex
	res     []registered
	nextIP  map[string]int
	// stacks are the outputs of the stacks a StackReference may read, by fully qualified name.
	stacks map[string]resource.PropertyMap
	// vnets are the existing VNets getVirtualNetwork finds, by name.
	vnets map[string]map[string]any
	// invokes lists the functions the program called.
	invokes []string
}

// outputName maps a type to the input that becomes its `name` output.
var outputName = map[string]string{
	tResourceGroup: "resourceGroupName", tVnet: "virtualNetworkName", tSubnet: "subnetName",
	tNSG: "networkSecurityGroupName", tNIC: "networkInterfaceName", tVM: "vmName", tDisk: "diskName",
}

func (m *azureMocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if args.TypeToken == "pulumi:pulumi:StackReference" {
		return m.readStack(args)
	}
	req := args.RegisterRPC
	r := registered{Type: args.TypeToken, Name: args.Name, Inputs: args.Inputs.Mappable()}
	parentType := tokens.Type("")
	if req != nil {
		if p := resource.URN(req.GetParent()); p != "" && p.QualifiedType() != resource.RootStackType {
			parentType = p.QualifiedType()
		}
		r.Protect = req.GetProtect()
		r.RetainOnDelete = req.GetRetainOnDelete()
		r.DeleteFirst = req.GetDeleteBeforeReplace()
		r.Parent = req.GetParent()
		r.Dependencies = req.GetDependencies()
	}
	// The same URN the mock monitor gives the resource.
	r.URN = string(resource.NewURN("test", "ragmesh", parentType, tokens.Type(args.TypeToken), args.Name))
	m.res = append(m.res, r)

	out := args.Inputs.Copy()
	if key, ok := outputName[args.TypeToken]; ok && out.HasValue(resource.PropertyKey(key)) {
		out["name"] = out[resource.PropertyKey(key)]
	}
	// What Azure assigns: known after an update, unknown in a preview.
	assigned := func(v string) resource.PropertyValue {
		if m.preview {
			return resource.MakeComputed(resource.NewProperty(""))
		}
		return resource.NewProperty(v)
	}
	switch args.TypeToken {
	case tNIC:
		subnet := "10.0.1"
		if strings.HasPrefix(args.Name, "chroma") {
			subnet = "10.0.2"
		}
		if m.nextIP == nil {
			m.nextIP = map[string]int{}
		}
		m.nextIP[subnet]++
		cfgs := out["ipConfigurations"].ArrayValue()
		first := cfgs[0].ObjectValue().Copy()
		first["privateIPAddress"] = assigned(fmt.Sprintf("%s.%d", subnet, 3+m.nextIP[subnet]))
		cfgs[0] = resource.NewProperty(first)
		out["ipConfigurations"] = resource.NewProperty(cfgs)
	case tVM:
		out["identity"] = resource.NewProperty(resource.PropertyMap{
			"type":        resource.NewProperty("SystemAssigned"),
			"principalId": assigned("principal-" + args.Name),
		})
	}
	if m.preview {
		return "", out, nil
	}
	return fmt.Sprintf("/subscriptions/%s/resourceGroups/rg/providers/%s/%s", testSubscription, args.TypeToken, args.Name), out, nil
}

// readStack plays the engine reading another stack's outputs; an unknown stack fails as the engine does.
func (m *azureMocks) readStack(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.res = append(m.res, registered{Type: args.TypeToken, Name: args.Name, Inputs: map[string]any{"name": args.ID}})
	outputs, ok := m.stacks[args.ID]
	if !ok {
		return "", nil, fmt.Errorf("unknown stack %q", args.ID)
	}
	return args.ID, resource.PropertyMap{
		"name":              resource.NewProperty(args.ID),
		"outputs":           resource.NewProperty(outputs),
		"secretOutputNames": resource.NewProperty([]resource.PropertyValue{}),
	}, nil
}

func (m *azureMocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	m.mu.Lock()
	m.invokes = append(m.invokes, args.Token)
	m.mu.Unlock()
	switch args.Token {
	case "azure-native:network:getVirtualNetwork":
		name := args.Args["virtualNetworkName"].StringValue()
		vnet, ok := m.vnets[name]
		if !ok {
			return nil, fmt.Errorf("virtual network %s not found", name)
		}
		return resource.NewPropertyMapFromMap(vnet), nil
	case "azure-native:authorization:getClientConfig":
		return resource.NewPropertyMapFromMap(map[string]any{
			"subscriptionId": testSubscription, "tenantId": "tenant", "clientId": "client", "objectId": "object",
		}), nil
	case "azure-native:resources:getResourceGroup":
		name := args.Args["resourceGroupName"].StringValue()
		return resource.NewPropertyMapFromMap(map[string]any{
			"id":       fmt.Sprintf("/subscriptions/%s/resourceGroups/%s", testSubscription, name),
			"name":     name,
			"location": "westeurope",
		}), nil
	}
	return nil, fmt.Errorf("unexpected invoke %s", args.Token)
}

func (m *azureMocks) ofType(typ string) []registered {
	var out []registered
	for _, r := range m.res {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

func (m *azureMocks) named(typ, name string) registered {
	for _, r := range m.res {
		if r.Type == typ && r.Name == name {
			return r
		}
	}
	panic(fmt.Sprintf("no %s named %s", typ, name))
}

// testConfig is a valid configuration for a stack with the given number of servers and app VMs.
func testConfig(servers, apps int) *config.Config {
	return &config.Config{
		HostSource: config.SourceAzure,
		Azure: config.Azure{
			Location:            "westeurope",
			CreateResourceGroup: true,
			VnetCidr:            "10.0.0.0/16",
			AppSubnetCidr:       "10.0.1.0/24",
			DataSubnetCidr:      "10.0.2.0/24",
			OperatorCidr:        "10.20.0.0/24",
			AdminUser:           "ragmesh",
			SSHPublicKey:        testKey,
			ConsulServerCount:   servers,
			AppVMCount:          apps,
			VMSizes:             config.VMSizes{ConsulServer: "Standard_B1ms", App: "Standard_B2s", Chroma: "Standard_B4ms"},
			Image:               config.DefaultImage,
			ChromaDataDiskGB:    64,
			Tags:                map[string]string{"owner": "search-team"},
		},
		Consul:     config.Consul{Datacenter: "dc1", Install: config.InstallApt, Version: "1.16.1-1"},
		Chroma:     config.Chroma{Runtime: config.RuntimeDocker, Image: "chromadb/chroma:1.0.0", DataDir: "/var/lib/chroma"},
		Intentions: config.DefaultIntentions,
	}
}

// seenHost is a host with its outputs resolved inside the program run.
type seenHost struct {
	hosts.Host
	Address    internals.UnsafeAwaitOutputResult
	Connection internals.UnsafeAwaitOutputResult
	ReadyURNs  []string
}

// result is what one program run produced.
type result struct {
	mocks   *azureMocks
	network *Network
	hosts   []seenHost
	outputs map[string]internals.UnsafeAwaitOutputResult
}

// deploy runs New under mocks, as `pulumi up` (or, with preview, `pulumi preview`) would.
func deploy(t *testing.T, cfg *config.Config, preview bool) result {
	t.Helper()
	res, err := deployWith(t, &azureMocks{preview: preview}, cfg)
	require.NoError(t, err)
	return res
}

// deployWith runs New under the given mocks and returns the program's error.
func deployWith(t *testing.T, m *azureMocks, cfg *config.Config) (result, error) {
	t.Helper()
	preview := m.preview
	res := result{mocks: m, outputs: map[string]internals.UnsafeAwaitOutputResult{}}
	await := func(o pulumi.Output) internals.UnsafeAwaitOutputResult {
		v, err := internals.UnsafeAwaitOutput(context.Background(), o)
		require.NoError(t, err)
		return v
	}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		cfg.SSHPrivateKey = pulumi.ToSecret(pulumi.String(testPrivateKey)).(pulumi.StringOutput)
		net, set, err := New(ctx, cfg)
		if err != nil {
			return err
		}
		res.network = net
		for _, h := range set {
			seen := seenHost{Host: h, Address: await(h.PrivateAddress), Connection: await(h.Connection.ToConnectionOutput())}
			for _, r := range h.Ready {
				seen.ReadyURNs = append(seen.ReadyURNs, string(await(r.URN()).Value.(pulumi.URN)))
			}
			res.hosts = append(res.hosts, seen)
		}
		for name, o := range map[string]pulumi.Output{
			"resourceGroupName": net.ResourceGroupName, "resourceGroupId": net.ResourceGroupID,
			"vnetId": net.VnetID, "appSubnetId": net.AppSubnetID, "dataSubnetId": net.DataSubnetID,
		} {
			res.outputs[name] = await(o)
		}
		return nil
	}, pulumi.WithMocks("ragmesh", "test", m), func(info *pulumi.RunInfo) { info.DryRun = preview })
	return res, err
}

// connection returns a host's resolved SSH connection.
func (h seenHost) connection() remote.Connection { return h.Connection.Value.(remote.Connection) }

// rules returns an NSG's inline rules as plain maps.
func rules(nsg registered) []map[string]any {
	var out []map[string]any
	for _, r := range nsg.Inputs["securityRules"].([]any) {
		out = append(out, r.(map[string]any))
	}
	return out
}

// walk calls visit for every key/value at any depth of v.
func walk(v any, visit func(key string, value any)) {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			visit(k, val)
			walk(val, visit)
		}
	case []any:
		for _, val := range t {
			walk(val, visit)
		}
	}
}
