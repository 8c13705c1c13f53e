package config

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ragmesh/ragmesh/hosts"
)

// exampleKey is a well-formed ed25519 public key whose private half was thrown away.
const exampleKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO3rVGg+sBOBjEn8V/AXHnPD1tvIoWRcdsmCCWBlEBqq operator@example"

// validConfig is a configuration Validate accepts; each case below breaks one thing.
func validConfig() *Config {
	return &Config{
		HostSource: SourceAzure,
		Azure: Azure{
			Location:            "westeurope",
			ResourceGroupName:   "",
			CreateResourceGroup: true,
			VnetCidr:            "10.0.0.0/16",
			AppSubnetCidr:       "10.0.1.0/24",
			DataSubnetCidr:      "10.0.2.0/24",
			OperatorCidr:        "10.20.0.0/24",
			AdminUser:           "ragmesh",
			SSHPublicKey:        exampleKey,
			ConsulServerCount:   1,
			AppVMCount:          1,
			VMSizes:             VMSizes{ConsulServer: "Standard_B1ms", App: "Standard_B2s", Chroma: "Standard_B2s"},
			Image:               DefaultImage,
			ChromaDataDiskGB:    32,
		},
		Consul:     Consul{Datacenter: "dc1", Install: InstallApt, Version: "1.16.1-1"},
		Chroma:     Chroma{Runtime: RuntimeDocker, Image: "chromadb/chroma:1.0.0", DataDir: "/var/lib/chroma"},
		Intentions: DefaultIntentions,
		SelfCheck:  true,
	}
}

func validGivenHosts() []hosts.Spec {
	return []hosts.Spec{
		{Role: "consul-server", Name: "consul-server-0", Address: "10.0.1.10", User: "ops"},
		{Role: "app", Name: "app-0", Address: "10.0.1.20", User: "ops"},
		{Role: "chroma", Name: "chroma", Address: "10.0.2.10", User: "ops", DataDevice: "/dev/disk/by-id/scsi-data"},
	}
}

func TestValidConfigHasNoProblems(t *testing.T) {
	assert.Empty(t, validConfig().Validate())

	given := validConfig()
	given.HostSource, given.Hosts = SourceGiven, validGivenHosts()
	assert.Empty(t, given.Validate())
}

// TestValidateRejects breaks one setting per case and expects one problem that names the key.
func TestValidateRejects(t *testing.T) {
	cases := []struct {
		name   string
		key    string
		breaks func(c *Config)
	}{
		{"vnet CIDR unparsable", "vnetCidr", func(c *Config) { c.Azure.VnetCidr = "10.0.0.0/33" }},
		{"vnet CIDR with host bits", "vnetCidr", func(c *Config) { c.Azure.VnetCidr = "10.0.0.1/16" }},
		{"app subnet unparsable", "appSubnetCidr", func(c *Config) { c.Azure.AppSubnetCidr = "ten.zero/24" }},
		{"data subnet outside the VNet", "dataSubnetCidr", func(c *Config) { c.Azure.DataSubnetCidr = "10.1.2.0/24" }},
		{"app subnet in another range", "appSubnetCidr", func(c *Config) { c.Azure.AppSubnetCidr = "192.168.1.0/24" }},
		{"subnets overlap", "dataSubnetCidr", func(c *Config) { c.Azure.DataSubnetCidr = "10.0.1.128/25" }},
		{"subnet smaller than /29", "appSubnetCidr", func(c *Config) { c.Azure.AppSubnetCidr = "10.0.1.0/30" }},
		{"operatorCidr missing", "operatorCidr", func(c *Config) { c.Azure.OperatorCidr = "" }},
		{"operatorCidr 0.0.0.0/0", "operatorCidr", func(c *Config) { c.Azure.OperatorCidr = "0.0.0.0/0" }},
		{"operatorCidr *", "operatorCidr", func(c *Config) { c.Azure.OperatorCidr = "*" }},
		{"operatorCidr Internet", "operatorCidr", func(c *Config) { c.Azure.OperatorCidr = "Internet" }},
		{"operatorCidr Any", "operatorCidr", func(c *Config) { c.Azure.OperatorCidr = "Any" }},
		{"operatorCidr public /16", "operatorCidr", func(c *Config) { c.Azure.OperatorCidr = "203.0.0.0/16" }},
		{"operatorCidr public /23", "operatorCidr", func(c *Config) { c.Azure.OperatorCidr = "198.51.100.0/23" }},
		{"operatorCidr unparsable", "operatorCidr", func(c *Config) { c.Azure.OperatorCidr = "10.20.0.0/24,10.30.0.0/24" }},
		{"two Consul servers", "consulServerCount", func(c *Config) { c.Azure.ConsulServerCount = 2 }},
		{"no Consul server", "consulServerCount", func(c *Config) { c.Azure.ConsulServerCount = 0 }},
		{"seven Consul servers", "consulServerCount", func(c *Config) { c.Azure.ConsulServerCount = 7 }},
		{"no app VM", "appVmCount", func(c *Config) { c.Azure.AppVMCount = 0 }},
		{"SSH key empty", "sshPublicKey", func(c *Config) { c.Azure.SSHPublicKey = "  " }},
		{"SSH key is a private key", "sshPublicKey", func(c *Config) { c.Azure.SSHPublicKey = "-----BEGIN OPENSSH PRIVATE KEY-----" }},
		{"SSH key body not base64", "sshPublicKey", func(c *Config) { c.Azure.SSHPublicKey = "ssh-ed25519 not*base64 me" }},
		{"SSH key body of another type", "sshPublicKey", func(c *Config) {
			c.Azure.SSHPublicKey = strings.Replace(exampleKey, "ssh-ed25519", "ssh-rsa", 1)
		}},
		{"admin user root", "adminUser", func(c *Config) { c.Azure.AdminUser = "root" }},
		{"admin user Administrator", "adminUser", func(c *Config) { c.Azure.AdminUser = "Administrator" }},
		{"admin user admin", "adminUser", func(c *Config) { c.Azure.AdminUser = "admin" }},
		{"admin user empty", "adminUser", func(c *Config) { c.Azure.AdminUser = "" }},
		{"admin user starts with a digit", "adminUser", func(c *Config) { c.Azure.AdminUser = "9ops" }},
		{"empty server VM size", "vmSizeConsulServer", func(c *Config) { c.Azure.VMSizes.ConsulServer = "" }},
		{"empty app VM size", "vmSizeApp", func(c *Config) { c.Azure.VMSizes.App = " " }},
		{"empty chroma VM size", "vmSizeChroma", func(c *Config) { c.Azure.VMSizes.Chroma = "" }},
		{"image without sku", "image", func(c *Config) { c.Azure.Image.Sku = "" }},
		{"tiny data disk", "chromaDataDiskGb", func(c *Config) { c.Azure.ChromaDataDiskGB = 1 }},
		{"existing group without a name", "resourceGroupName", func(c *Config) { c.Azure.CreateResourceGroup = false }},
		{"empty location", "location", func(c *Config) { c.Azure.Location = "" }},
		{"jump host without host", "jumpHost", func(c *Config) { c.Azure.JumpHost = &JumpHost{User: "ops"} }},
		{"jump host port negative", "jumpHost", func(c *Config) { c.Azure.JumpHost = &JumpHost{Host: "10.20.0.4", Port: -5} }},
		{"jump host user with a space", "jumpHost", func(c *Config) { c.Azure.JumpHost = &JumpHost{Host: "10.20.0.4", User: "a b"} }},
		{"jump host with shell characters", "jumpHost", func(c *Config) { c.Azure.JumpHost = &JumpHost{Host: "bastion;reboot"} }},
		{"location with shell characters", "location", func(c *Config) { c.Azure.Location = "west europe; x" }},
		{"location other than the provider's", "location", func(c *Config) { c.Azure.ProviderLocation = "eastus" }},
		{"data disk larger than Azure offers", "chromaDataDiskGb", func(c *Config) { c.Azure.ChromaDataDiskGB = 100000000 }},
		{"more VMs than the app subnet holds", "appVmCount", func(c *Config) {
			c.Azure.AppSubnetCidr, c.Azure.AppVMCount = "10.0.1.0/28", 11 // 16 - 5 reserved = 11 for 12 VMs
		}},
		{"consul version with shell characters", "consulVersion", func(c *Config) { c.Consul.Version = `1.16.1-1"; touch /tmp/x; echo "` }},
		{"consul version empty", "consulVersion", func(c *Config) { c.Consul.Version = "" }},
		{"chroma image without a tag", "chromaImage", func(c *Config) { c.Chroma.Image = "registry.local:5000/chroma" }},
		{"chroma image with extra arguments", "chromaImage", func(c *Config) { c.Chroma.Image = "chromadb/chroma:1.0.0 --privileged -v /:/host alpine" }},
		{"chroma image on a moving tag", "chromaImage", func(c *Config) { c.Chroma.Image = "chromadb/chroma:1" }},
		{"chroma image before 1.x", "chromaImage", func(c *Config) { c.Chroma.Image = "chromadb/chroma:0.4.24" }},
		{"chroma data dir is a system directory", "chromaDataDir", func(c *Config) { c.Chroma.DataDir = "/usr" }},
		{"chroma data dir below /etc", "chromaDataDir", func(c *Config) { c.Chroma.DataDir = "/etc/chroma" }},
		{"chroma data dir inside the Chroma install", "chromaDataDir", func(c *Config) { c.Chroma.DataDir = "/opt/chroma/data" }},
		{"chroma data dir is /var", "chromaDataDir", func(c *Config) { c.Chroma.DataDir = "/var" }},
		{"tag overriding the auto-join tag", "tags", func(c *Config) { c.Azure.Tags = map[string]string{"consul-cluster": "other"} }},
		{"tag name Azure refuses", "tags", func(c *Config) { c.Azure.Tags = map[string]string{"env<>": "x"} }},
		{"absurd app VM count", "appVmCount", func(c *Config) { c.Azure.AppVMCount = 9223372036854775807 }},
		{"jump host with a port in its host", "jumpHost", func(c *Config) { c.Azure.JumpHost = &JumpHost{Host: "bastion.example.com:2222"} }},
		{"VM size with a space", "vmSizeApp", func(c *Config) { c.Azure.VMSizes.App = "Standard B2s; id" }},
		{"resource group name Azure refuses", "resourceGroupName", func(c *Config) { c.Azure.ResourceGroupName = "bad name!*" }},
		{"location with two spaces", "location", func(c *Config) { c.Azure.Location = "West  Europe" }},
		{"datacenter longer than a DNS label", "datacenter", func(c *Config) { c.Consul.Datacenter = strings.Repeat("d", 64) }},
		{"datacenter uppercase", "datacenter", func(c *Config) { c.Consul.Datacenter = "DC1" }},
		{"datacenter with a dot", "datacenter", func(c *Config) { c.Consul.Datacenter = "eu.west" }},
		{"datacenter empty", "datacenter", func(c *Config) { c.Consul.Datacenter = "" }},
		{"service name with underscore", "intentions", func(c *Config) {
			c.Intentions = []Intention{{Source: "django_app", Destination: "chromadb"}}
		}},
		{"service name with a space", "intentions", func(c *Config) {
			c.Intentions = []Intention{{Source: "django-app", Destination: "chroma db"}}
		}},
		{"service name starting with a dash", "intentions", func(c *Config) {
			c.Intentions = []Intention{{Source: "-app", Destination: "chromadb"}}
		}},
		{"unknown host source", "hostSource", func(c *Config) { c.HostSource = "aws" }},
		{"hosts listed with the Azure source", "hosts", func(c *Config) { c.Hosts = validGivenHosts() }},
		{"unpinned chroma image", "chromaImage", func(c *Config) { c.Chroma.Image = "chromadb/chroma:latest" }},
		{"relative chroma data dir", "chromaDataDir", func(c *Config) { c.Chroma.DataDir = "data" }},
		{"chroma data dir is the root", "chromaDataDir", func(c *Config) { c.Chroma.DataDir = "/" }},
		{"chroma data dir with a space", "chromaDataDir", func(c *Config) { c.Chroma.DataDir = "/var/lib/my chroma" }},
		{"chroma data dir not clean", "chromaDataDir", func(c *Config) { c.Chroma.DataDir = "/var/lib/../chroma" }},
		{"upload without a binary", "consulBinary", func(c *Config) { c.Consul.Install = InstallUpload }},
		{"upload of a binary that is not there", "consulBinary", func(c *Config) {
			c.Consul.Install, c.Consul.Binary = InstallUpload, "no/such/consul"
		}},
		{"bundle that is not there", "chromaBundle", func(c *Config) {
			c.Chroma.Runtime, c.Chroma.Bundle = RuntimeBundle, "no/such/bundle.tar.gz"
		}},
	}
	require.GreaterOrEqual(t, len(cases), 15)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfig()
			tc.breaks(c)
			errs := c.Validate()
			require.Len(t, errs, 1, "one broken setting, one problem: %v", errs)
			assert.Contains(t, errs[0].Error(), Namespace+":"+tc.key, "the message names the key")
		})
	}
}

// TestGivenHostsRejects covers hostSource=given: every problem names the hosts key.
func TestGivenHostsRejects(t *testing.T) {
	cases := []struct {
		name   string
		breaks func(h []hosts.Spec) []hosts.Spec
		want   string
	}{
		{"no hosts", func([]hosts.Spec) []hosts.Spec { return nil }, "is empty"},
		{"unknown role", func(h []hosts.Spec) []hosts.Spec { h[1].Role = "web"; return h }, `role "web"`},
		{"two servers", func(h []hosts.Spec) []hosts.Spec {
			return append(h, hosts.Spec{Role: "consul-server", Name: "consul-server-1", Address: "10.0.1.11"})
		}, "1, 3 or 5"},
		{"no chroma host", func(h []hosts.Spec) []hosts.Spec { return h[:2] }, "role chroma"},
		{"no app host", func(h []hosts.Spec) []hosts.Spec { return []hosts.Spec{h[0], h[2]} }, "role app"},
		{"name used twice", func(h []hosts.Spec) []hosts.Spec { h[1].Name = "chroma"; return h }, "used twice"},
		{"name not a DNS label", func(h []hosts.Spec) []hosts.Spec { h[1].Name = "App_0"; return h }, "DNS label"},
		{"address not an IP", func(h []hosts.Spec) []hosts.Spec { h[2].Address = "chroma.local"; return h }, "not an IPv4 address"},
		{"IPv6 address", func(h []hosts.Spec) []hosts.Spec { h[1].Address = "fd00::5"; return h }, "not an IPv4 address"},
		{"IPv6 zone with shell characters", func(h []hosts.Spec) []hosts.Spec { h[1].Address = "fe80::1%$(id)"; return h }, "not an IPv4 address"},
		{"address used twice", func(h []hosts.Spec) []hosts.Spec { h[2].Address = h[1].Address; return h }, "used twice"},
		{"loopback address", func(h []hosts.Spec) []hosts.Spec { h[1].Address = "::1"; return h }, "private address"},
		{"unspecified address", func(h []hosts.Spec) []hosts.Spec { h[1].Address = "0.0.0.0"; return h }, "private address"},
		{"user with an ssh option", func(h []hosts.Spec) []hosts.Spec { h[0].User = "root -oProxyCommand=x"; return h }, "not a login name"},
		{"port out of range", func(h []hosts.Spec) []hosts.Spec { h[0].Port = 70000; return h }, "out of range"},
		{"data device on an app host", func(h []hosts.Spec) []hosts.Spec { h[1].DataDevice = "/dev/sdc"; return h }, "only for the chroma host"},
		{"data device outside /dev", func(h []hosts.Spec) []hosts.Spec { h[2].DataDevice = "/var/disk.img"; return h }, "under /dev/"},
		{"data device with shell characters", func(h []hosts.Spec) []hosts.Spec { h[2].DataDevice = "/dev/sdc;reboot"; return h }, "under /dev/"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfig()
			c.HostSource = SourceGiven
			c.Hosts = tc.breaks(validGivenHosts())
			errs := c.Validate()
			require.NotEmpty(t, errs)
			msg := Errors(errs).Error()
			assert.Contains(t, msg, Namespace+":hosts")
			assert.Contains(t, msg, tc.want)
		})
	}
}

func TestJumpHostIsOnlyForAzure(t *testing.T) {
	c := validConfig()
	c.HostSource, c.Hosts = SourceGiven, validGivenHosts()
	c.Azure.JumpHost = &JumpHost{Host: "10.20.0.4"}
	errs := c.Validate()
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), "ragmesh:jumpHost: is only read with hostSource=azure")
}

func TestChromaDataDirMayLieBelowSharedDirectories(t *testing.T) {
	for _, dir := range []string{"/var/lib/chroma", "/srv/chroma", "/data/chroma", "/mnt/vectors"} {
		c := validConfig()
		c.Chroma.DataDir = dir
		assert.Empty(t, c.Validate(), dir)
	}
}

func TestOperatorCidrAcceptsPrivateRangesOfAnySizeAndNarrowPublicOnes(t *testing.T) {
	for _, cidr := range []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "10.20.0.0/24", "203.0.113.7/32", "198.51.100.0/24"} {
		c := validConfig()
		c.Azure.OperatorCidr = cidr
		assert.Empty(t, c.Validate(), cidr)
	}
}

func TestChromaImageAcceptsTagsDigestsAndRegistries(t *testing.T) {
	for _, ref := range []string{
		"chromadb/chroma:1.0.0",
		"registry.example.com:5000/team/chroma:1.0.0",
		"chromadb/chroma@sha256:" + strings.Repeat("ab", 32),
		"chromadb/chroma:1.0.0@sha256:" + strings.Repeat("0f", 32),
	} {
		c := validConfig()
		c.Chroma.Image = ref
		assert.Empty(t, c.Validate(), ref)
	}
}

func TestLocationMayBeSpelledLikeTheProviders(t *testing.T) {
	c := validConfig()
	c.Azure.ProviderLocation = "West Europe"
	assert.Empty(t, c.Validate())
}

func TestSSHPublicKeyAcceptsRSA(t *testing.T) {
	// "ssh-rsa" followed by a truncated but well-framed body is enough for the format check.
	c := validConfig()
	c.Azure.SSHPublicKey = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7 me@host"
	assert.Empty(t, c.Validate())
}

// TestAllProblemsReportedAtOnce breaks many settings together: the user sees every one in a single run.
func TestAllProblemsReportedAtOnce(t *testing.T) {
	c := validConfig()
	c.Azure.VnetCidr = "nonsense"
	c.Azure.OperatorCidr = "0.0.0.0/0"
	c.Azure.ConsulServerCount = 4
	c.Azure.AdminUser = "root"
	c.Azure.SSHPublicKey = ""
	c.Azure.VMSizes.App = ""
	c.Consul.Datacenter = "Main DC"

	errs := c.Validate()
	msg := Errors(errs).Error()
	for _, key := range []string{"vnetCidr", "operatorCidr", "consulServerCount", "adminUser", "sshPublicKey", "vmSizeApp", "datacenter"} {
		assert.Contains(t, msg, Namespace+":"+key)
	}
	assert.Len(t, errs, 7)
	assert.Contains(t, msg, "7 problems")
}
