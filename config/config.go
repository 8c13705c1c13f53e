// Package config reads a stack's settings once, into typed values, and validates all of them before any
// resource is registered. Every problem is reported at once, each naming the key and the fix.
package config

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumicfg "github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
	"github.com/ragmesh/ragmesh/hosts"
)

// Namespace is the project's config namespace: every key is `ragmesh:<key>`.
const Namespace = "ragmesh"

// Host sources.
const (
	SourceAzure = "azure" // VMs declared by this stack
	SourceGiven = "given" // machines that already exist, listed under `hosts`
)

// Consul install methods and Chroma runtimes.
const (
	InstallApt    = "apt"    // HashiCorp's apt repository, pinned version
	InstallUpload = "upload" // a binary uploaded by the program (air-gapped hosts)
	RuntimeDocker = "docker" // the chromadb/chroma image
	RuntimeBundle = "bundle" // an uploaded Chroma server bundle run by systemd
)

// Config is the whole, validated stack configuration.
type Config struct {
	HostSource string
	// Hosts are the machines of the "given" host source.
	Hosts []hosts.Spec
	// SSHPrivateKey opens every host for remote commands; it stays a Pulumi secret.
	SSHPrivateKey pulumi.StringOutput
	Azure         Azure
	Consul        Consul
	Chroma        Chroma
	// Intentions are the allowed caller → service edges; everything else is denied.
	Intentions []Intention
	// SelfCheck runs the end-of-update verification of the mesh path.
	SelfCheck bool
	// ExportManagementToken makes the ACL management token a (secret) stack output.
	ExportManagementToken bool
}

// Azure holds the settings of the Azure host source.
type Azure struct {
	Location string
	// ProviderLocation is azure-native:location, the provider's default region, when the stack sets it.
	ProviderLocation    string
	ResourceGroupName   string
	CreateResourceGroup bool
	VnetCidr            string
	AppSubnetCidr       string
	DataSubnetCidr      string
	OperatorCidr        string
	AdminUser           string
	SSHPublicKey        string
	ConsulServerCount   int
	AppVMCount          int
	VMSizes             VMSizes
	Image               Image
	ChromaDataDiskGB    int
	Tags                map[string]string
	// JumpHost, when set, is the bastion remote commands reach the private addresses through.
	JumpHost *JumpHost
	// NetworkStack, when set, names the stack that owns the VNet and subnets; this stack then creates neither.
	NetworkStack *NetworkStack
}

// NetworkStack is another Pulumi stack whose outputs carry the ids of an existing VNet and its two subnets.
// The output names default to this program's own (vnetId, appSubnetId, dataSubnetId).
type NetworkStack struct {
	// Stack is the fully qualified name <organization>/<project>/<stack>.
	Stack        string `json:"stack"`
	VnetID       string `json:"vnetIdOutput"`
	AppSubnetID  string `json:"appSubnetIdOutput"`
	DataSubnetID string `json:"dataSubnetIdOutput"`
}

// DefaultNetworkStackOutputs are the output names read when networkStack does not name them.
var DefaultNetworkStackOutputs = NetworkStack{VnetID: "vnetId", AppSubnetID: "appSubnetId", DataSubnetID: "dataSubnetId"}

// VMSizes are the Azure VM sizes per role.
type VMSizes struct {
	ConsulServer string `json:"consulServer"`
	App          string `json:"app"`
	Chroma       string `json:"chroma"`
}

// Image is an Azure Marketplace image reference.
type Image struct {
	Publisher string `json:"publisher"`
	Offer     string `json:"offer"`
	Sku       string `json:"sku"`
	Version   string `json:"version"`
}

// JumpHost is an SSH bastion; it uses the same private key as the VMs.
type JumpHost struct {
	Host string `json:"host"`
	User string `json:"user"`
	Port int    `json:"port"`
}

// Consul holds the Consul agent settings.
type Consul struct {
	Datacenter string
	Install    string
	// Version is the apt package version (install=apt).
	Version string
	// Binary is the local path of the consul binary to upload (install=upload).
	Binary string
	UI     bool
}

// Chroma holds the ChromaDB settings.
type Chroma struct {
	Runtime string
	// Image is the pinned Docker image (runtime=docker).
	Image string
	// Bundle is the local path of the Chroma server bundle (runtime=bundle).
	Bundle string
	// DataDir is Chroma's persistent data directory on the chroma host.
	DataDir string
}

// Intention allows Source to call Destination through the mesh.
type Intention struct {
	Source      string `json:"source"`
	Destination string `json:"destination"`
}

// Defaults are the values Pulumi.yaml declares; a test keeps the two in step. They apply here too, so mocked
// tests and Automation API programs without the project file see the same defaults as `pulumi up`.
var Defaults = map[string]string{
	"hostSource":            SourceAzure,
	"location":              "westeurope",
	"createResourceGroup":   "true",
	"vnetCidr":              "10.0.0.0/16",
	"appSubnetCidr":         "10.0.1.0/24",
	"dataSubnetCidr":        "10.0.2.0/24",
	"adminUser":             "ragmesh",
	"consulServerCount":     "1",
	"appVmCount":            "1",
	"vmSizeConsulServer":    "Standard_B1ms",
	"vmSizeApp":             "Standard_B2s",
	"vmSizeChroma":          "Standard_B2s",
	"chromaDataDiskGb":      "32",
	"datacenter":            "dc1",
	"consulInstall":         InstallApt,
	"consulVersion":         "1.16.1-1",
	"consulUi":              "false",
	"chromaRuntime":         RuntimeDocker,
	"chromaImage":           "chromadb/chroma:1.0.0",
	"chromaDataDir":         "/var/lib/chroma",
	"selfCheck":             "true",
	"exportManagementToken": "false",
}

// DefaultImage is Ubuntu 22.04 LTS, generation 2.
var DefaultImage = Image{Publisher: "Canonical", Offer: "0001-com-ubuntu-server-jammy", Sku: "22_04-lts-gen2", Version: "latest"}

// DefaultIntentions is the one edge the RAG service needs.
var DefaultIntentions = []Intention{{Source: "django-app", Destination: "chromadb"}}

// Keys lists every key the program reads; anything else under the namespace is a typo.
var Keys = []string{
	"hostSource", "hosts", "sshPrivateKey",
	"location", "resourceGroupName", "createResourceGroup", "vnetCidr", "appSubnetCidr", "dataSubnetCidr",
	"operatorCidr", "adminUser", "sshPublicKey", "consulServerCount", "appVmCount", "vmSizeConsulServer",
	"vmSizeApp", "vmSizeChroma", "image", "chromaDataDiskGb", "tags", "jumpHost", "networkStack",
	"datacenter", "consulInstall", "consulVersion", "consulBinary", "consulUi",
	"chromaRuntime", "chromaImage", "chromaBundle", "chromaDataDir", "intentions", "selfCheck", "exportManagementToken",
}

// Load reads every key, then validates the whole; the error lists every problem found.
func Load(ctx *pulumi.Context) (*Config, error) {
	r := reader{cfg: pulumicfg.New(ctx, Namespace)}
	c := &Config{
		HostSource: r.str("hostSource"),
		Azure: Azure{
			Location:            r.str("location"),
			ResourceGroupName:   r.str("resourceGroupName"),
			CreateResourceGroup: r.boolean("createResourceGroup"),
			VnetCidr:            r.str("vnetCidr"),
			AppSubnetCidr:       r.str("appSubnetCidr"),
			DataSubnetCidr:      r.str("dataSubnetCidr"),
			OperatorCidr:        r.str("operatorCidr"),
			AdminUser:           r.str("adminUser"),
			SSHPublicKey:        r.str("sshPublicKey"),
			ConsulServerCount:   r.integer("consulServerCount"),
			AppVMCount:          r.integer("appVmCount"),
			VMSizes:             VMSizes{ConsulServer: r.str("vmSizeConsulServer"), App: r.str("vmSizeApp"), Chroma: r.str("vmSizeChroma")},
			Image:               DefaultImage,
			ChromaDataDiskGB:    r.integer("chromaDataDiskGb"),
		},
		Consul: Consul{
			Datacenter: r.str("datacenter"),
			Install:    r.str("consulInstall"),
			Version:    r.str("consulVersion"),
			Binary:     r.str("consulBinary"),
			UI:         r.boolean("consulUi"),
		},
		Chroma: Chroma{
			Runtime: r.str("chromaRuntime"),
			Image:   r.str("chromaImage"),
			Bundle:  r.str("chromaBundle"),
			DataDir: r.str("chromaDataDir"),
		},
		SelfCheck:             r.boolean("selfCheck"),
		ExportManagementToken: r.boolean("exportManagementToken"),
	}
	c.Azure.ProviderLocation = pulumicfg.New(ctx, "azure-native").Get("location")
	r.object("hosts", &c.Hosts)
	r.object("image", &c.Azure.Image) // over the default: a partial image (e.g. only version) keeps the rest
	r.object("tags", &c.Azure.Tags)
	r.object("jumpHost", &c.Azure.JumpHost)
	if j := c.Azure.JumpHost; j != nil && *j == (JumpHost{}) {
		c.Azure.JumpHost = nil // the declared default {} means "no bastion"
	}
	r.object("networkStack", &c.Azure.NetworkStack)
	c.Azure.NetworkStack = withDefaultOutputs(c.Azure.NetworkStack)
	// Decoded into an empty list, never over the default: an entry that leaves a field out must fail
	// validation, not inherit the default edge's value.
	if !r.object("intentions", &c.Intentions) {
		c.Intentions = append([]Intention(nil), DefaultIntentions...)
	}

	key, err := r.cfg.TrySecret("sshPrivateKey")
	if err != nil {
		r.errs = append(r.errs, fmt.Errorf("%s:sshPrivateKey is missing: run `pulumi config set --secret %s:sshPrivateKey < KEYFILE`", Namespace, Namespace))
	}
	c.SSHPrivateKey = key

	errs := append(r.errs, unknownKeys(os.Getenv(pulumi.EnvConfig))...)
	errs = append(errs, c.Validate()...)
	if len(errs) > 0 {
		return nil, Errors(errs)
	}
	return c, nil
}

// withDefaultOutputs fills in the output names networkStack leaves out; the declared default {} means "create
// the network here".
func withDefaultOutputs(n *NetworkStack) *NetworkStack {
	if n == nil || *n == (NetworkStack{}) {
		return nil
	}
	out := *n
	for _, f := range []struct {
		into *string
		def  string
	}{
		{&out.VnetID, DefaultNetworkStackOutputs.VnetID},
		{&out.AppSubnetID, DefaultNetworkStackOutputs.AppSubnetID},
		{&out.DataSubnetID, DefaultNetworkStackOutputs.DataSubnetID},
	} {
		if *f.into == "" {
			*f.into = f.def
		}
	}
	return &out
}

// reader turns raw config strings into typed values, falling back to Defaults and collecting parse errors.
type reader struct {
	cfg  *pulumicfg.Config
	errs []error
}

// str returns the key's value, or its default when the key is not set. A key set to an empty value where the
// default is not empty is an error: it would otherwise stand for the default without saying so.
func (r *reader) str(key string) string {
	v, err := r.cfg.Try(key)
	if err != nil {
		return Defaults[key]
	}
	switch {
	case strings.TrimSpace(v) == "" && Defaults[key] != "":
		r.errs = append(r.errs, fmt.Errorf("%s:%s is set but empty: remove it to use the default %q, or give a value", Namespace, key, Defaults[key]))
		return Defaults[key]
	case v != strings.TrimSpace(v):
		r.errs = append(r.errs, fmt.Errorf("%s:%s = %q has leading or trailing blanks: remove them (or the key)", Namespace, key, v))
	}
	return v
}

func (r *reader) integer(key string) int {
	v := r.str(key)
	n, err := strconv.Atoi(v)
	if err != nil {
		r.errs = append(r.errs, fmt.Errorf("%s:%s = %q is not a whole number: set e.g. %s", Namespace, key, v, Defaults[key]))
	}
	return n
}

func (r *reader) boolean(key string) bool {
	v := r.str(key)
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.errs = append(r.errs, fmt.Errorf("%s:%s = %q: set true or false", Namespace, key, v))
	}
	return b
}

// object decodes a structured key into `into` and reports whether the key was set. Fields the program does not
// know are errors, like unknown keys, matched exactly (JSON decoding alone ignores case and drops unknown
// fields): a misspelt field must not silently fall back to its zero value.
func (r *reader) object(key string, into any) bool {
	raw, err := r.cfg.Try(key)
	if err != nil {
		return false
	}
	var generic any
	if err := json.Unmarshal([]byte(raw), &generic); err == nil {
		for _, f := range unknownFields(generic, reflect.TypeOf(into), "") {
			r.errs = append(r.errs, fmt.Errorf("%s:%s: %sunknown field %q: fix its spelling or remove it (fields: %s)",
				Namespace, key, f.where, f.name, strings.Join(f.known, ", ")))
		}
	}
	if err := json.Unmarshal([]byte(raw), into); err != nil {
		r.errs = append(r.errs, fmt.Errorf("%s:%s does not have the documented shape (%v): see README § Configuration", Namespace, key, err))
	}
	return true
}

type unknownField struct {
	where, name string // where: "" or "entry N: " for an element of a list
	known       []string
}

// unknownFields walks a decoded JSON value along the Go type it is meant for and lists every object key that
// is not exactly one of the struct's JSON field names, with the list entry it stands in.
func unknownFields(v any, t reflect.Type, where string) []unknownField {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []unknownField
	switch t.Kind() {
	case reflect.Slice:
		list, _ := v.([]any)
		for i, elem := range list {
			out = append(out, unknownFields(elem, t.Elem(), fmt.Sprintf("%sentry %d: ", where, i))...)
		}
	case reflect.Struct:
		obj, _ := v.(map[string]any)
		known := map[string]reflect.Type{}
		var names []string
		for i := 0; i < t.NumField(); i++ {
			if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" {
				known[name] = t.Field(i).Type
				names = append(names, name)
			}
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if ft, ok := known[k]; ok {
				out = append(out, unknownFields(obj[k], ft, where)...)
			} else {
				out = append(out, unknownField{where: where, name: k, known: names})
			}
		}
	}
	return out
}

// unknownKeys reports keys under the namespace that the program does not read, so typos fail loudly. The SDK
// offers no way to list config keys, so it reads the JSON the engine hands every program in PULUMI_CONFIG
// (inline Automation API programs get none, and skip this check).
func unknownKeys(engineConfig string) []error {
	var all map[string]string
	if engineConfig == "" || json.Unmarshal([]byte(engineConfig), &all) != nil {
		return nil
	}
	known := map[string]bool{}
	for _, k := range Keys {
		known[Namespace+":"+k] = true
	}
	var errs []error
	for k := range all {
		if strings.HasPrefix(k, Namespace+":") && !known[k] {
			errs = append(errs, fmt.Errorf("%s is not a setting of this program: remove it or fix its spelling (known: %s)", k, strings.Join(Keys, ", ")))
		}
	}
	return errs
}

// Errors is a list of configuration problems, printed one per line.
type Errors []error

func (e Errors) Error() string {
	lines := make([]string, 0, len(e))
	for _, err := range e {
		lines = append(lines, "  - "+err.Error())
	}
	sort.Strings(lines)
	problems := "problems"
	if len(e) == 1 {
		problems = "problem"
	}
	return fmt.Sprintf("invalid stack configuration (%d %s, nothing was created):\n%s", len(e), problems, strings.Join(lines, "\n"))
}

// Unwrap lets errors.Is/As see each problem.
func (e Errors) Unwrap() []error { return e }
