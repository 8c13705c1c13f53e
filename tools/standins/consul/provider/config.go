package provider

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/consul/api"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
)

// configKeys are the provider settings this stand-in honours; the value says whether it is a boolean.
var configKeys = map[string]bool{
	"address": false, "caPem": false, "datacenter": false, "insecureHttps": true, "scheme": false, "token": false,
}

// schemaOnlyConfigKeys are provider settings of the real schema that this stand-in refuses.
var schemaOnlyConfigKeys = []string{
	"authJwt", "authLoginAws", "caFile", "caPath", "certFile", "certPem", "headers", "httpAuth", "keyFile",
	"keyPem", "namespace",
}

// engineConfigKeys are set by the engine itself on every provider.
var engineConfigKeys = []string{"version", "pluginDownloadURL"}

// checkConfigKeys reports every setting that is not supported, with the reason.
func checkConfigKeys(props resource.PropertyMap) []plugin.CheckFailure {
	var failures []plugin.CheckFailure
	for _, key := range sortedKeys(props) {
		name := string(key)
		value := unwrapSecret(props[key])
		switch isBool, ok := configKeys[name]; {
		case slices.Contains(engineConfigKeys, name):
		case slices.Contains(schemaOnlyConfigKeys, name):
			failures = append(failures, plugin.CheckFailure{Property: key,
				Reason: fmt.Sprintf("consul:%s %s", name, notSupported)})
		case !ok:
			failures = append(failures, plugin.CheckFailure{Property: key,
				Reason: fmt.Sprintf("consul:%s is not a pulumi-consul 3.15.1 provider setting", name)})
		case !known(value) || value.IsNull():
		case isBool:
			if _, err := boolSetting(value); err != nil {
				failures = append(failures, plugin.CheckFailure{Property: key, Reason: err.Error()})
			}
		case !value.IsString():
			failures = append(failures, plugin.CheckFailure{Property: key,
				Reason: fmt.Sprintf("consul:%s must be a string", name)})
		}
	}
	return failures
}

// boolSetting accepts a boolean or its string form, as stack configuration delivers it.
func boolSetting(v resource.PropertyValue) (bool, error) {
	switch {
	case v.IsBool():
		return v.BoolValue(), nil
	case v.IsString():
		if b, err := strconv.ParseBool(v.StringValue()); err == nil {
			return b, nil
		}
	}
	return false, fmt.Errorf("consul:insecureHttps must be a boolean, got %v", v)
}

// CheckConfig refuses settings outside the supported subset before any resource is touched.
func (p *Provider) CheckConfig(_ context.Context, req plugin.CheckConfigRequest) (plugin.CheckConfigResponse, error) {
	return plugin.CheckConfigResponse{Properties: req.News, Failures: checkConfigKeys(req.News)}, nil
}

// DiffConfig reports changed settings as in-place updates: a new address or token does not recreate the
// objects in Consul.
func (p *Provider) DiffConfig(_ context.Context, req plugin.DiffConfigRequest) (plugin.DiffConfigResponse, error) {
	return diff(req.OldInputs, req.NewInputs, object{}, req.IgnoreChanges), nil
}

// Configure builds the Consul client. Defaults (address 127.0.0.1:8500, scheme http) and the CONSUL_HTTP_*
// environment come from the Consul API client, as with the real provider.
func (p *Provider) Configure(_ context.Context, req plugin.ConfigureRequest) (plugin.ConfigureResponse, error) {
	if failures := checkConfigKeys(req.Inputs); len(failures) > 0 {
		reasons := make([]string, len(failures))
		for i, f := range failures {
			reasons[i] = f.Reason
		}
		return plugin.ConfigureResponse{}, fmt.Errorf("consul stand-in: %s", strings.Join(reasons, "; "))
	}
	config := api.DefaultNonPooledConfig()
	settings := plainMap(req.Inputs)
	if v, ok := settings["address"].(string); ok && v != "" {
		config.Address = v
	}
	if v, ok := settings["scheme"].(string); ok && v != "" {
		if v != "http" && v != "https" {
			return plugin.ConfigureResponse{}, fmt.Errorf("consul stand-in: consul:scheme must be http or https, got %q", v)
		}
		config.Scheme = v
	}
	if v, ok := settings["datacenter"].(string); ok {
		config.Datacenter = v
	}
	if v, ok := settings["token"].(string); ok && v != "" {
		config.Token = v
	}
	if v, ok := settings["caPem"].(string); ok && v != "" {
		config.TLSConfig.CAPem = []byte(v)
	}
	if v, ok := req.Inputs["insecureHttps"]; ok && !v.IsNull() {
		insecure, err := boolSetting(unwrapSecret(v))
		if err != nil {
			return plugin.ConfigureResponse{}, err
		}
		config.TLSConfig.InsecureSkipVerify = insecure
	}
	client, err := api.NewClient(config)
	if err != nil {
		return plugin.ConfigureResponse{}, fmt.Errorf("consul stand-in: %w", err)
	}
	p.mu.Lock()
	p.client = client
	p.mu.Unlock()
	return plugin.ConfigureResponse{}, nil
}
