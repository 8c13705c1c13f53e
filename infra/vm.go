package infra

import (
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/compute/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ragmesh/ragmesh/config"
	"github.com/ragmesh/ragmesh/hosts"
)

// ReaderRoleDefinition is Azure's built-in Reader role; it lets a server list the tagged NICs it joins.
const ReaderRoleDefinition = "acdd72a7-3385-48ef-bd42-f606fba81ae7"

// VMArgs are what every VM role needs.
type VMArgs struct {
	Network *Network
	// Prefix starts the VM's Azure names; the host name (e.g. consul-server-0) follows it.
	Prefix       string
	Size         string
	Image        config.Image
	AdminUser    string
	SSHPublicKey string
	Tags         map[string]string
	// AutoJoinTag is the tag every NIC carries so Consul agents can find each other.
	AutoJoinTag AutoJoinTag
	// ReaderScope, when set, grants the VM's identity Reader on that scope (the resource group).
	ReaderScope pulumi.StringInput
	// SubscriptionID builds the role definition id of ReaderScope.
	SubscriptionID string
}

// VM is one Azure VM with its NIC; every role component carries one.
type VM struct {
	Role           hosts.Role
	Name           string
	NIC            *network.NetworkInterface
	Machine        *compute.VirtualMachine
	RoleAssignment *authorization.RoleAssignment
	PrivateAddress pulumi.StringOutput
	// DataDevice is where the VM sees its data disk (empty when it has none).
	DataDevice string
}

// ConsulServer is a Consul server VM.
type ConsulServer struct {
	pulumi.ResourceState
	VM
}

// AppVM runs the Django app and its sidecar.
type AppVM struct {
	pulumi.ResourceState
	VM
}

// ChromaVM runs ChromaDB and its sidecar; its data lives on DataDisk, which outlives the VM.
type ChromaVM struct {
	pulumi.ResourceState
	VM
	DataDisk *compute.Disk
}

// ChromaVMArgs adds the data disk's size.
type ChromaVMArgs struct {
	VMArgs
	DataDiskGB int
}

// ChromaDataDiskLun is the LUN of Chroma's data disk; on Ubuntu, Azure's udev rules name it
// ChromaDataDevice, a path that does not change when the kernel orders its disks differently.
const (
	ChromaDataDiskLun = 0
	ChromaDataDevice  = "/dev/disk/azure/scsi1/lun0"
)

// NewConsulServer declares a Consul server VM; its identity may read the NICs it auto-joins through.
func NewConsulServer(ctx *pulumi.Context, name string, args *VMArgs, opts ...pulumi.ResourceOption) (*ConsulServer, error) {
	c := &ConsulServer{}
	if err := ctx.RegisterComponentResource("ragmesh:infra:ConsulServer", name, c, opts...); err != nil {
		return nil, err
	}
	return c, c.build(ctx, c, hosts.ConsulServer, name, args, nil)
}

// NewAppVM declares an app VM in the app subnet.
func NewAppVM(ctx *pulumi.Context, name string, args *VMArgs, opts ...pulumi.ResourceOption) (*AppVM, error) {
	a := &AppVM{}
	if err := ctx.RegisterComponentResource("ragmesh:infra:AppVM", name, a, opts...); err != nil {
		return nil, err
	}
	return a, a.build(ctx, a, hosts.App, name, args, nil)
}

// NewChromaVM declares the ChromaDB VM in the data subnet and its managed data disk. The disk is protected
// and retained on delete, and the VM detaches rather than deletes it, so replacing the VM keeps the data.
func NewChromaVM(ctx *pulumi.Context, name string, args *ChromaVMArgs, opts ...pulumi.ResourceOption) (*ChromaVM, error) {
	c := &ChromaVM{}
	if err := ctx.RegisterComponentResource("ragmesh:infra:ChromaVM", name, c, opts...); err != nil {
		return nil, err
	}
	disk, err := compute.NewDisk(ctx, name+"-data", &compute.DiskArgs{
		DiskName:          pulumi.String(args.Prefix + "-" + name + "-data"),
		ResourceGroupName: args.Network.ResourceGroupName,
		Location:          pulumi.String(args.Network.Location),
		CreationData:      &compute.CreationDataArgs{CreateOption: pulumi.String("Empty")},
		DiskSizeGB:        pulumi.Int(args.DataDiskGB),
		Sku:               &compute.DiskSkuArgs{Name: pulumi.String("StandardSSD_LRS")},
		Tags:              pulumi.ToStringMap(args.Tags),
	}, pulumi.Parent(c), pulumi.Protect(true), pulumi.RetainOnDelete(true))
	if err != nil {
		return nil, err
	}
	c.DataDisk = disk
	data := compute.DataDiskArray{compute.DataDiskArgs{
		Lun:          pulumi.Int(ChromaDataDiskLun),
		CreateOption: pulumi.String("Attach"),
		ManagedDisk:  &compute.ManagedDiskParametersArgs{Id: disk.ID()},
		DeleteOption: pulumi.String("Detach"),
	}}
	c.DataDevice = ChromaDataDevice
	return c, c.build(ctx, c, hosts.Chroma, name, &args.VMArgs, data)
}

// build declares the NIC, the VM and, if asked, the identity's role assignment, all parented to component.
func (v *VM) build(ctx *pulumi.Context, component pulumi.Resource, role hosts.Role, name string, args *VMArgs, dataDisks compute.DataDiskArray) error {
	v.Role, v.Name = role, name
	parent := pulumi.Parent(component)
	azName := args.Prefix + "-" + name
	n := args.Network

	nicTags := pulumi.StringMap{args.AutoJoinTag.Name: pulumi.String(args.AutoJoinTag.Value)}
	for k, val := range args.Tags {
		nicTags[k] = pulumi.String(val)
	}
	nic, err := network.NewNetworkInterface(ctx, name+"-nic", &network.NetworkInterfaceArgs{
		NetworkInterfaceName: pulumi.String(azName + "-nic"),
		ResourceGroupName:    n.ResourceGroupName,
		Location:             pulumi.String(n.Location),
		IpConfigurations: network.NetworkInterfaceIPConfigurationArray{network.NetworkInterfaceIPConfigurationArgs{
			Name:                      pulumi.String("primary"),
			Primary:                   pulumi.Bool(true),
			Subnet:                    &network.SubnetTypeArgs{Id: n.subnetID(role)},
			PrivateIPAllocationMethod: pulumi.String("Dynamic"),
		}},
		NetworkSecurityGroup: &network.NetworkSecurityGroupTypeArgs{Id: n.RoleNSGIDs[role]},
		Tags:                 nicTags,
	}, parent, pulumi.DependsOn(n.ready))
	if err != nil {
		return err
	}
	v.NIC = nic
	v.PrivateAddress = privateAddress(nic)

	vm, err := compute.NewVirtualMachine(ctx, name+"-vm", &compute.VirtualMachineArgs{
		VmName:            pulumi.String(azName),
		ResourceGroupName: n.ResourceGroupName,
		Location:          pulumi.String(n.Location),
		HardwareProfile:   &compute.HardwareProfileArgs{VmSize: pulumi.String(args.Size)},
		Identity:          &compute.VirtualMachineIdentityArgs{Type: compute.ResourceIdentityTypeSystemAssigned},
		NetworkProfile: &compute.NetworkProfileArgs{NetworkInterfaces: compute.NetworkInterfaceReferenceArray{
			compute.NetworkInterfaceReferenceArgs{Id: nic.ID(), Primary: pulumi.Bool(true), DeleteOption: pulumi.String("Detach")},
		}},
		OsProfile: &compute.OSProfileArgs{
			ComputerName:  pulumi.String(name),
			AdminUsername: pulumi.String(args.AdminUser),
			LinuxConfiguration: &compute.LinuxConfigurationArgs{
				DisablePasswordAuthentication: pulumi.Bool(true),
				Ssh: &compute.SshConfigurationArgs{PublicKeys: compute.SshPublicKeyTypeArray{compute.SshPublicKeyTypeArgs{
					Path:    pulumi.String(fmt.Sprintf("/home/%s/.ssh/authorized_keys", args.AdminUser)),
					KeyData: pulumi.String(args.SSHPublicKey),
				}}},
			},
		},
		StorageProfile: &compute.StorageProfileArgs{
			ImageReference: &compute.ImageReferenceArgs{
				Publisher: pulumi.String(args.Image.Publisher),
				Offer:     pulumi.String(args.Image.Offer),
				Sku:       pulumi.String(args.Image.Sku),
				Version:   pulumi.String(args.Image.Version),
			},
			OsDisk: &compute.OSDiskArgs{
				Name:         pulumi.String(azName + "-os"),
				CreateOption: pulumi.String("FromImage"),
				DeleteOption: pulumi.String("Delete"),
				ManagedDisk:  &compute.ManagedDiskParametersArgs{StorageAccountType: pulumi.String("StandardSSD_LRS")},
			},
			DataDisks: dataDisks,
		},
		Tags: pulumi.ToStringMap(args.Tags),
		// The VM name is fixed and its NIC (and Chroma's disk) attach to one VM at a time, so a replacement
		// must delete the old VM first.
	}, parent, pulumi.DeleteBeforeReplace(true))
	if err != nil {
		return err
	}
	v.Machine = vm

	if args.ReaderScope != nil {
		ra, err := authorization.NewRoleAssignment(ctx, name+"-nic-reader", &authorization.RoleAssignmentArgs{
			PrincipalId:   vm.Identity.PrincipalId().Elem(),
			PrincipalType: pulumi.String("ServicePrincipal"),
			RoleDefinitionId: pulumi.String(fmt.Sprintf("/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s",
				args.SubscriptionID, ReaderRoleDefinition)),
			Scope: args.ReaderScope,
		}, parent)
		if err != nil {
			return err
		}
		v.RoleAssignment = ra
	}
	return ctx.RegisterResourceOutputs(component, pulumi.Map{"privateAddress": v.PrivateAddress})
}

// Ready lists what must exist before anything connects to the host: the VM, and the server's read access
// without which its auto-join finds nobody.
func (v *VM) Ready() []pulumi.Resource {
	ready := []pulumi.Resource{v.Machine}
	if v.RoleAssignment != nil {
		ready = append(ready, v.RoleAssignment)
	}
	return ready
}

// privateAddress is the NIC's first private IP. It stays unknown until the NIC exists (tied to its id), so a
// preview never hands an empty address to a connection, and an existing NIC without one is an error.
func privateAddress(nic *network.NetworkInterface) pulumi.StringOutput {
	return pulumi.All(nic.ID(), nic.IpConfigurations).ApplyT(func(v []any) (string, error) {
		cfgs := v[1].([]network.NetworkInterfaceIPConfigurationResponse)
		if len(cfgs) == 0 || cfgs[0].PrivateIPAddress == nil || *cfgs[0].PrivateIPAddress == "" {
			return "", fmt.Errorf("network interface %s has no private IP address", v[0])
		}
		return *cfgs[0].PrivateIPAddress, nil
	}).(pulumi.StringOutput)
}
