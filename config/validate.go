package config

import (
	"encoding/base64"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path"
	"regexp"
	"strings"
	"unicode"

	"github.com/ragmesh/ragmesh/hosts"
)

var (
	// Consul accepts only these characters in a datacenter name (agent/config/builder.go).
	datacenterName = regexp.MustCompile(`^[a-z0-9_-]{1,63}$`)
	// Service names must also be valid DNS labels, or Consul DNS cannot serve them.
	serviceName = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	// Host names become resource names and Consul node names.
	// pathChars are the characters a path may have where it is written into scripts and units.
	pathChars = regexp.MustCompile(`^[A-Za-z0-9._/-]+$`)
	hostName  = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	// Azure Linux admin names: letters, digits, '-', '_', '.', not starting with a digit or '-'.
	azureUser = regexp.MustCompile(`^[a-z_][a-z0-9_.-]{0,31}$`)
	// SSH login names of given hosts and the bastion: a POSIX user name, so it can be nothing but a name.
	loginUser = regexp.MustCompile(`^[a-z_][a-z0-9_.-]{0,31}$`)
	// A bastion is a host name or an IPv4 address (its port is a field of its own).
	hostAddress = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$`)
	// Azure region names ("westeurope", or the display form "West Europe").
	azureLocation = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*( [A-Za-z0-9]+)*$`)
	// Azure VM size names, e.g. Standard_D2s_v5.
	vmSizeName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)
	// Azure resource group names: letters, digits, '_', '-', '.', '(', ')', not ending in '.'.
	resourceGroupName = regexp.MustCompile(`^[-\w.()]{0,89}[-\w()]$`)
	// A 1.x version tag: exact (1.0.0), optionally with a suffix (1.0.0-rc1); "1" or "1.0" would move.
	chromaTag = regexp.MustCompile(`^1\.[0-9]+\.[0-9]+([-.+][A-Za-z0-9.-]+)?$`)
	// Debian package versions (the consul apt package, e.g. 1.16.1-1): the characters Debian allows, which
	// are also safe inside the install script.
	debVersion = regexp.MustCompile(`^[0-9][0-9A-Za-z.+~:-]{0,63}$`)
	// A Docker image reference with an explicit tag or digest: [registry[:port]/]path[:tag][@sha256:digest].
	imageRef = regexp.MustCompile(`^([a-z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*` +
		`(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$`)
)

// maxAppVMs bounds the app tier where no subnet size does (a network stack's subnets).
const maxAppVMs = 1000

// maxDataDiskGB is the largest managed data disk Azure offers.
const maxDataDiskGB = 32767

// azureReservedPerSubnet is how many addresses Azure keeps in every subnet.
const azureReservedPerSubnet = 5

// Tag names the program sets on Azure resources itself (infra uses them); a user's tags may not take them, the
// auto-join tag in particular must keep its value.
const (
	AutoJoinTagName = "consul-cluster" // the NIC tag Consul's Azure cloud auto-join looks for
	StackTagName    = "ragmesh-stack"  // names the stack every resource belongs to
)

var reservedTags = map[string]bool{AutoJoinTagName: true, StackTagName: true}

// Directories chromaDataDir must not be or lie below: the system's, and the ones the program manages itself
// (a Chroma reinstall replaces /opt/chroma whole).
var protectedDirs = []string{"/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/opt/chroma", "/opt/consul",
	"/proc", "/root", "/run", "/sbin", "/sys", "/tmp", "/usr", "/var/lib/ragmesh", "/var/lib/docker", "/var/log", "/var/tmp"}

// Directories chromaDataDir must not be itself (below them is fine, e.g. /var/lib/chroma).
var sharedDirs = []string{"/home", "/mnt", "/opt", "/srv", "/var", "/var/lib", "/media"}

// Names Azure refuses as the admin user of a Linux VM.
var azureForbiddenUsers = map[string]bool{
	"administrator": true, "admin": true, "user": true, "user1": true, "test": true, "user2": true,
	"test1": true, "user3": true, "admin1": true, "1": true, "123": true, "a": true, "actuser": true,
	"adm": true, "admin2": true, "aspnet": true, "backup": true, "console": true, "david": true,
	"guest": true, "john": true, "owner": true, "root": true, "server": true, "sql": true, "support": true,
	"support_388945a0": true, "sys": true, "test2": true, "test3": true, "user4": true, "user5": true,
}

// Validate checks every setting and returns all problems, each naming its key and the fix.
func (c *Config) Validate() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s:%s: %s", Namespace, key, fmt.Sprintf(format, args...)))
	}

	switch c.HostSource {
	case SourceAzure:
		errs = append(errs, c.Azure.validate()...)
		if len(c.Hosts) > 0 {
			bad("hosts", "is only read with hostSource=given: remove it or set hostSource to given")
		}
	case SourceGiven:
		errs = append(errs, validateHosts(c.Hosts)...)
		if c.Azure.NetworkStack != nil {
			bad("networkStack", "is only read with hostSource=azure: remove it or set hostSource to azure")
		}
		if c.Azure.JumpHost != nil {
			bad("jumpHost", "is only read with hostSource=azure (given hosts are reached directly): remove it or set hostSource to azure")
		}
	default:
		bad("hostSource", "%q is not a host source: use %q (VMs declared here) or %q (machines listed under hosts)", c.HostSource, SourceAzure, SourceGiven)
	}

	if !datacenterName.MatchString(c.Consul.Datacenter) {
		bad("datacenter", "%q is not a Consul datacenter name: use lowercase letters, digits, '-' and '_' only", c.Consul.Datacenter)
	}
	switch c.Consul.Install {
	case InstallApt:
		if !debVersion.MatchString(c.Consul.Version) {
			bad("consulVersion", "%q is not an apt package version: pin one, e.g. 1.16.1-1", c.Consul.Version)
		}
	case InstallUpload:
		if c.Consul.Binary == "" {
			bad("consulBinary", "is required with consulInstall=upload: set the path of a linux/amd64 consul binary")
		} else if msg := fileProblem(c.Consul.Binary); msg != "" {
			bad("consulBinary", "%s: build it with `make tools` or fix the path", msg)
		}
	default:
		bad("consulInstall", "%q is not an install method: use %q or %q", c.Consul.Install, InstallApt, InstallUpload)
	}
	switch c.Chroma.Runtime {
	case RuntimeDocker:
		if problem := imageProblem(c.Chroma.Image); problem != "" {
			bad("chromaImage", "%q %s: use an exact 1.x tag such as chromadb/chroma:1.0.0", c.Chroma.Image, problem)
		}
	case RuntimeBundle:
		if c.Chroma.Bundle == "" {
			bad("chromaBundle", "is required with chromaRuntime=bundle: set the path of the Chroma server bundle (make tools builds one)")
		} else if msg := fileProblem(c.Chroma.Bundle); msg != "" {
			bad("chromaBundle", "%s: build it with `make tools` or fix the path", msg)
		}
	default:
		bad("chromaRuntime", "%q is not a Chroma runtime: use %q or %q", c.Chroma.Runtime, RuntimeDocker, RuntimeBundle)
	}
	if !safePath(c.Chroma.DataDir, "/") || c.Chroma.DataDir == "/" {
		bad("chromaDataDir", "%q must be a clean absolute path below / (letters, digits, '.', '_', '-', '/'), e.g. /var/lib/chroma", c.Chroma.DataDir)
	} else if dir := systemDir(c.Chroma.DataDir); dir != "" {
		bad("chromaDataDir", "%q is or lies in %s, which the system or this program manages: use a directory of its own, e.g. /var/lib/chroma", c.Chroma.DataDir, dir)
	}

	seen := map[Intention]bool{}
	for i, in := range c.Intentions {
		for _, f := range []struct{ field, name string }{{"source", in.Source}, {"destination", in.Destination}} {
			switch {
			case f.name == "":
				bad("intentions", "entry %d: %s is missing: name the %s service", i, f.field, map[string]string{"source": "calling", "destination": "called"}[f.field])
			case !serviceName.MatchString(f.name):
				bad("intentions", "entry %d: %s %q is not a valid service name: use lowercase letters, digits and '-' (a DNS label)", i, f.field, f.name)
			}
		}
		if in.Source == in.Destination && in.Source != "" {
			bad("intentions", "entry %d: a service calling itself needs no intention: remove it", i)
		}
		if seen[in] {
			bad("intentions", "entry %d repeats %s -> %s: remove the duplicate", i, in.Source, in.Destination)
		}
		seen[in] = true
	}
	return errs
}

func validateHosts(given []hosts.Spec) []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s:hosts: %s", Namespace, fmt.Sprintf(format, args...)))
	}
	if len(given) == 0 {
		bad("is empty with hostSource=given: list each machine with role, name, address (and user, port)")
		return errs
	}
	names := map[string]bool{}
	addrs := map[string]bool{}
	counts := map[hosts.Role]int{}
	for i, h := range given {
		role := hosts.Role(h.Role)
		if !role.Valid() {
			bad("entry %d (%s): role %q is not one of %v", i, h.Name, h.Role, hosts.Roles)
		}
		counts[role]++
		if !hostName.MatchString(h.Name) {
			bad("entry %d: name %q must be a DNS label (lowercase letters, digits, '-')", i, h.Name)
		}
		if names[h.Name] {
			bad("entry %d: name %q is used twice: names must be unique", i, h.Name)
		}
		names[h.Name] = true
		ip, err := netip.ParseAddr(h.Address)
		switch {
		case err != nil || !ip.Is4():
			bad("entry %d (%s): address %q is not an IPv4 address: give the private address Consul binds to", i, h.Name, h.Address)
		case ip.IsUnspecified() || ip.IsLoopback() || ip.IsMulticast():
			bad("entry %d (%s): address %s cannot be a machine's address for the others: give its private address", i, h.Name, h.Address)
		case addrs[ip.String()]:
			bad("entry %d (%s): address %s is used twice: each host needs its own", i, h.Name, h.Address)
		}
		if h.User != "" && !loginUser.MatchString(h.User) {
			bad("entry %d (%s): user %q is not a login name: lowercase letters, digits, '_', '.', '-', or leave it out for root", i, h.Name, h.User)
		}
		addrs[ip.String()] = true
		if h.Port < 0 || h.Port > 65535 {
			bad("entry %d (%s): port %d is out of range: use 1-65535 or leave it out for 22", i, h.Name, h.Port)
		}
		if h.DataDevice != "" {
			if role != hosts.Chroma {
				bad("entry %d (%s): dataDevice is only for the chroma host: remove it", i, h.Name)
			} else if !safePath(h.DataDevice, "/dev/") {
				bad("entry %d (%s): dataDevice %q must be a block device path under /dev/, e.g. /dev/sdc or /dev/disk/by-id/…", i, h.Name, h.DataDevice)
			}
		}
	}
	if n := counts[hosts.ConsulServer]; n != 1 && n != 3 && n != 5 {
		bad("%d hosts have role consul-server: a Raft quorum needs 1, 3 or 5", n)
	}
	if counts[hosts.Chroma] != 1 {
		bad("%d hosts have role chroma: list exactly one", counts[hosts.Chroma])
	}
	if counts[hosts.App] == 0 {
		bad("no host has role app: list at least one")
	}
	return errs
}

func (a Azure) validate() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s:%s: %s", Namespace, key, fmt.Sprintf(format, args...)))
	}
	if !azureLocation.MatchString(a.Location) {
		bad("location", "%q is not an Azure region name: set one, e.g. westeurope", a.Location)
	} else if p := a.ProviderLocation; p != "" && regionKey(p) != regionKey(a.Location) {
		bad("location", "%q differs from azure-native:location %q: every resource is placed in ragmesh:location, so set both to the same region (or remove azure-native:location)", a.Location, p)
	}
	if a.ResourceGroupName == "" && !a.CreateResourceGroup {
		bad("resourceGroupName", "is required when createResourceGroup is false: name the existing group")
	} else if a.ResourceGroupName != "" && !resourceGroupName.MatchString(a.ResourceGroupName) {
		bad("resourceGroupName", "%q is not an Azure resource group name: letters, digits, '_', '-', '.', '(', ')', at most 90, not ending in '.'", a.ResourceGroupName)
	}
	for k := range a.Tags {
		switch {
		case reservedTags[k]:
			bad("tags", "%q is set by this program (Consul auto-join and the stack's own tag): choose another tag name", k)
		case k == "" || len(k) > 512 || strings.ContainsAny(k, "<>%&\\?/"):
			bad("tags", "%q is not an Azure tag name: 1-512 characters, none of < > %% & \\ ? /", k)
		}
	}

	vnet, vnetOK := prefix(a.VnetCidr)
	if !vnetOK {
		bad("vnetCidr", "%q is not a CIDR: use e.g. 10.0.0.0/16", a.VnetCidr)
	}
	subnetCidrs := []struct{ key, value string }{{"appSubnetCidr", a.AppSubnetCidr}, {"dataSubnetCidr", a.DataSubnetCidr}}
	if a.NetworkStack != nil {
		errs = append(errs, a.NetworkStack.validate()...)
		subnetCidrs = nil // the network stack owns the subnets; their ranges are not ours to check
	}
	subnets := map[string]netip.Prefix{}
	for _, s := range subnetCidrs {
		p, ok := prefix(s.value)
		switch {
		case !ok:
			bad(s.key, "%q is not a CIDR: use e.g. 10.0.1.0/24", s.value)
			continue
		case p.Bits() > 29:
			bad(s.key, "%s is smaller than Azure allows: use /29 or larger", s.value)
		case vnetOK && !(vnet.Contains(p.Addr()) && p.Bits() >= vnet.Bits()):
			bad(s.key, "%s lies outside vnetCidr %s: pick a range inside the VNet", s.value, a.VnetCidr)
		}
		subnets[s.key] = p
	}
	if app, ok := subnets["appSubnetCidr"]; ok {
		if data, ok := subnets["dataSubnetCidr"]; ok && app.Overlaps(data) {
			bad("dataSubnetCidr", "%s overlaps appSubnetCidr %s: the subnets must not overlap", a.DataSubnetCidr, a.AppSubnetCidr)
		}
	}
	if msg := operatorCidrProblem(a.OperatorCidr); msg != "" {
		bad("operatorCidr", "%s", msg)
	}

	switch {
	case a.AdminUser == "":
		bad("adminUser", "is empty: set the VMs' admin user, e.g. ragmesh")
	case azureForbiddenUsers[strings.ToLower(a.AdminUser)]:
		bad("adminUser", "%q is refused by Azure: choose another name, e.g. ragmesh", a.AdminUser)
	case !azureUser.MatchString(a.AdminUser):
		bad("adminUser", "%q is not a valid Linux user name: lowercase letters, digits, '_', '-', '.', at most 32", a.AdminUser)
	}
	if msg := sshPublicKeyProblem(a.SSHPublicKey); msg != "" {
		bad("sshPublicKey", "%s", msg)
	}
	switch a.ConsulServerCount {
	case 1, 3, 5:
	default:
		bad("consulServerCount", "%d: a Raft quorum needs 1, 3 or 5 servers", a.ConsulServerCount)
	}
	if a.AppVMCount < 1 {
		bad("appVmCount", "%d: at least one app VM is needed", a.AppVMCount)
	}
	if app, ok := subnets["appSubnetCidr"]; ok && app.Bits() <= 29 && a.AppVMCount >= 1 {
		free := 1<<(32-app.Bits()) - azureReservedPerSubnet
		if a.AppVMCount > free-max(a.ConsulServerCount, 0) { // compared this way round, a huge count cannot overflow
			bad("appVmCount", "%d app VMs and %d Consul servers do not fit appSubnetCidr %s, which has %d usable addresses: lower the count or widen the subnet",
				a.AppVMCount, a.ConsulServerCount, a.AppSubnetCidr, free)
		}
	} else if a.AppVMCount > maxAppVMs {
		bad("appVmCount", "%d: at most %d app VMs per stack", a.AppVMCount, maxAppVMs)
	}
	for key, size := range map[string]string{"vmSizeConsulServer": a.VMSizes.ConsulServer, "vmSizeApp": a.VMSizes.App, "vmSizeChroma": a.VMSizes.Chroma} {
		if strings.TrimSpace(size) == "" {
			bad(key, "is empty: set an Azure VM size, e.g. Standard_B2s")
		} else if !vmSizeName.MatchString(size) {
			bad(key, "%q is not an Azure VM size name: e.g. Standard_B2s", size)
		}
	}
	if a.Image.Publisher == "" || a.Image.Offer == "" || a.Image.Sku == "" || a.Image.Version == "" {
		bad("image", "needs publisher, offer, sku and version (default: Canonical 0001-com-ubuntu-server-jammy 22_04-lts-gen2 latest)")
	}
	if a.ChromaDataDiskGB < 4 || a.ChromaDataDiskGB > maxDataDiskGB {
		bad("chromaDataDiskGb", "%d: give the Chroma data disk 4 to %d GiB", a.ChromaDataDiskGB, maxDataDiskGB)
	}
	if j := a.JumpHost; j != nil {
		if !hostAddress.MatchString(j.Host) {
			bad("jumpHost", "host %q is not a host name or IPv4 address (give the port as jumpHost.port): set the bastion's, or remove jumpHost", j.Host)
		}
		if j.User != "" && !loginUser.MatchString(j.User) {
			bad("jumpHost", "user %q is not a login name: lowercase letters, digits, '_', '.', '-', or leave it out for adminUser", j.User)
		}
		if j.Port < 0 || j.Port > 65535 {
			bad("jumpHost", "port %d is out of range: use 1-65535 or leave it out for 22", j.Port)
		}
	}
	return errs
}

// validate checks the network stack is named fully (another project's stack never resolves from a bare name)
// and every output name is set.
func (n NetworkStack) validate() []error {
	var errs []error
	parts := strings.Split(n.Stack, "/")
	valid := len(parts) == 3
	for _, p := range parts {
		valid = valid && p != "" && !strings.ContainsFunc(p, unicode.IsSpace)
	}
	if !valid {
		errs = append(errs, fmt.Errorf("%s:networkStack: stack %q is not a fully qualified stack name: use <organization>/<project>/<stack>, e.g. platform/network/prod (file and azblob backends: organization/<project>/<stack>)", Namespace, n.Stack))
	}
	for field, name := range map[string]string{"vnetIdOutput": n.VnetID, "appSubnetIdOutput": n.AppSubnetID, "dataSubnetIdOutput": n.DataSubnetID} {
		if strings.TrimSpace(name) != name {
			errs = append(errs, fmt.Errorf("%s:networkStack: %s %q has surrounding spaces: give the output name exactly", Namespace, field, name))
		}
	}
	return errs
}

// systemDir returns the protected directory dir is or lies in, or "".
func systemDir(dir string) string {
	for _, p := range protectedDirs {
		if dir == p || strings.HasPrefix(dir, p+"/") {
			return p
		}
	}
	for _, p := range sharedDirs {
		if dir == p {
			return p
		}
	}
	return ""
}

// regionKey folds the two spellings of a region ("West Europe", "westeurope") into one.
func regionKey(s string) string { return strings.ToLower(strings.ReplaceAll(s, " ", "")) }

// imageProblem says why a Docker image reference is not an exact pin, or returns "".
func imageProblem(ref string) string {
	if !imageRef.MatchString(ref) {
		return "is not a Docker image reference"
	}
	if strings.Contains(ref, "@") {
		return "" // a digest pins the image whatever the tag says
	}
	tag := ""
	if colon := strings.LastIndex(ref, ":"); colon > strings.LastIndex(ref, "/") {
		tag = ref[colon+1:]
	}
	switch {
	case tag == "":
		return "has no tag, so it means :latest, which is not pinned"
	case !chromaTag.MatchString(tag):
		return "does not name an exact Chroma 1.x version"
	}
	return ""
}

// fileProblem says why a file to upload cannot be used, or returns "" (paths are relative to the project).
func fileProblem(path string) string {
	info, err := os.Stat(path)
	switch {
	case err != nil:
		return fmt.Sprintf("%s does not exist", path)
	case !info.Mode().IsRegular() || info.Size() == 0:
		return fmt.Sprintf("%s is not a non-empty file", path)
	}
	return ""
}

func prefix(s string) (netip.Prefix, bool) {
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil || p.Masked() != p {
		return netip.Prefix{}, false
	}
	return p, true
}

// operatorCidrProblem explains why a range may not reach SSH and the Consul API, or returns "".
// Private ranges of any size are fine; public ranges wider than /24 and every "anywhere" spelling are refused.
func operatorCidrProblem(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return "is required: set the bastion or runner range allowed to SSH and to reach the Consul API, e.g. 10.0.250.0/28 or 203.0.113.7/32"
	case "*", "internet", "any", "0.0.0.0/0", "::/0":
		return fmt.Sprintf("%q opens SSH and the Consul API to the internet: use your bastion or runner range", s)
	}
	p, ok := prefix(s)
	if !ok {
		return fmt.Sprintf("%q is not a CIDR: use e.g. 203.0.113.7/32", s)
	}
	if !p.Addr().Is4() {
		return fmt.Sprintf("%q: only IPv4 ranges are supported", s)
	}
	if !net.IP(p.Addr().AsSlice()).IsPrivate() && p.Bits() < 24 {
		return fmt.Sprintf("%s is a public range wider than /24: narrow it to your runner or bastion addresses", s)
	}
	return ""
}

// sshPublicKeyProblem checks the key is one line in OpenSSH format of a type Azure accepts.
func sshPublicKeyProblem(key string) string {
	fields := strings.Fields(key)
	if len(fields) == 0 {
		return "is empty: set the OpenSSH public key the VMs accept (e.g. the content of ~/.ssh/id_ed25519.pub)"
	}
	if len(fields) < 2 || (fields[0] != "ssh-rsa" && fields[0] != "ssh-ed25519") {
		return "is not an OpenSSH ssh-rsa or ssh-ed25519 public key line: paste the .pub file's content"
	}
	blob, err := base64.StdEncoding.DecodeString(fields[1])
	if err != nil || len(blob) < 4 {
		return "has a body that is not base64: paste the .pub file's content unchanged"
	}
	n := int(blob[0])<<24 | int(blob[1])<<16 | int(blob[2])<<8 | int(blob[3])
	if 4+n > len(blob) || string(blob[4:4+n]) != fields[0] {
		return "is malformed: its body does not match its type; paste the .pub file's content unchanged"
	}
	return ""
}

// safePath reports whether p starts with prefix, is already clean (no "..", "//" or trailing "/") and has only
// pathChars, so it means the same to Go, the shell and systemd.
func safePath(p, prefix string) bool {
	return strings.HasPrefix(p, prefix) && path.Clean(p) == p && pathChars.MatchString(p)
}
