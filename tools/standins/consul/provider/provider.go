// Package provider is an offline test double of the pulumi-consul 3.15.1 resource provider.
//
// It serves the same type tokens, property names and replacement rules as the real provider for the few
// resources the ragmesh program registers, and talks to a real Consul agent through its HTTP API. Anything
// outside that subset is refused with an error that names the property, never silently ignored.
package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/blang/semver"
	"github.com/hashicorp/consul/api"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
)

// Version is the pulumi-consul release this stand-in answers for; programs ask the engine for exactly it.
const Version = "3.15.1"

// Type tokens, as in the provider schema.
const (
	providerType     = "pulumi:providers:consul"
	intentionsType   = "consul:index/configEntryServiceIntentions:ConfigEntryServiceIntentions"
	aclPolicyType    = "consul:index/aclPolicy:AclPolicy"
	aclTokenType     = "consul:index/aclToken:AclToken"
	secretIDFunction = "consul:index/getAclTokenSecretId:getAclTokenSecretId"
)

// Provider implements plugin.Provider for the supported subset of pulumi-consul.
type Provider struct {
	plugin.UnimplementedProvider

	mu     sync.RWMutex
	client *api.Client
}

// New returns an unconfigured provider.
func New() *Provider { return &Provider{} }

// Handshake accepts secrets so that secret inputs and the secret-ID invoke keep their secret marking.
func (p *Provider) Handshake(context.Context, plugin.ProviderHandshakeRequest) (*plugin.ProviderHandshakeResponse, error) {
	return &plugin.ProviderHandshakeResponse{AcceptSecrets: true, SupportsAutonamingConfiguration: true}, nil
}

// GetPluginInfo reports the pulumi-consul version this stand-in plays.
func (p *Provider) GetPluginInfo(context.Context) (plugin.PluginInfo, error) {
	v := semver.MustParse(Version)
	return plugin.PluginInfo{Version: &v}, nil
}

// Close has nothing to release: the HTTP client holds no long-lived state.
func (p *Provider) Close() error { return nil }

// SignalCancellation is a no-op: every operation is one short HTTP call.
func (p *Provider) SignalCancellation(context.Context) error { return nil }

func (p *Provider) consul() (*api.Client, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.client == nil {
		return nil, errors.New("consul stand-in: the provider was not configured")
	}
	return p.client, nil
}

// Check validates inputs against the supported subset of the schema and fills the autonamed property.
func (p *Provider) Check(_ context.Context, req plugin.CheckRequest) (plugin.CheckResponse, error) {
	spec, ok := specs[string(req.Type)]
	if !ok {
		return plugin.CheckResponse{}, unsupportedType(string(req.Type))
	}
	news := req.News.Copy()
	if spec.autoname != "" {
		if err := autoname(news, req, spec.autoname); err != nil {
			return plugin.CheckResponse{}, err
		}
	}
	var failures []plugin.CheckFailure
	for _, problem := range checkObject("", news, spec.props, spec.refused) {
		property, _, _ := strings.Cut(problem, " ")
		failures = append(failures, plugin.CheckFailure{Property: resource.PropertyKey(property), Reason: problem})
	}
	return plugin.CheckResponse{Properties: news, Failures: failures}, nil
}

// autoname fills an unset name the way the real provider does: keep the previous name, else take the
// engine's proposal, else the resource name plus a random suffix.
func autoname(news resource.PropertyMap, req plugin.CheckRequest, key string) error {
	k := resource.PropertyKey(key)
	if v, ok := news[k]; ok && !v.IsNull() {
		return nil
	}
	if old, ok := req.Olds[k]; ok && !old.IsNull() {
		news[k] = old
		return nil
	}
	if req.Autonaming != nil {
		switch req.Autonaming.Mode {
		case plugin.AutonamingModeDisabled:
			return fmt.Errorf("consul stand-in: %s %q needs an explicit %s (autonaming is disabled)", req.Type, req.Name, key)
		default:
			news[k] = resource.NewProperty(req.Autonaming.ProposedName)
			return nil
		}
	}
	name, err := resource.NewUniqueName(req.RandomSeed, req.Name+"-", 7, 0, nil)
	if err != nil {
		return err
	}
	news[k] = resource.NewProperty(name)
	return nil
}

// Diff compares old and new inputs; a change to a property the schema marks willReplaceOnChanges replaces.
func (p *Provider) Diff(_ context.Context, req plugin.DiffRequest) (plugin.DiffResponse, error) {
	spec, ok := specs[string(req.Type)]
	if !ok {
		return plugin.DiffResponse{}, unsupportedType(string(req.Type))
	}
	return diff(req.OldInputs, req.NewInputs, spec.props, req.IgnoreChanges), nil
}

func diff(olds, news resource.PropertyMap, props object, ignore []string) plugin.DiffResult {
	result := plugin.DiffResult{Changes: plugin.DiffNone, DetailedDiff: map[string]plugin.PropertyDiff{}}
	keys := map[resource.PropertyKey]bool{}
	for k := range olds {
		keys[k] = true
	}
	for k := range news {
		keys[k] = true
	}
	for key := range keys {
		if slices.Contains(ignore, string(key)) {
			continue
		}
		old, new := olds[key], news[key]
		replace := props[string(key)].replace
		var changes map[string]plugin.PropertyDiff
		switch {
		case new.ContainsUnknowns():
			// Unknown during preview: it may change, so plan an update (or a replacement).
			changes = map[string]plugin.PropertyDiff{string(key): {Kind: plugin.DiffUpdate, InputDiff: true}}
		case old.DeepEquals(new):
			continue
		default:
			changes = plugin.NewDetailedDiffFromObjectDiff(
				resource.PropertyMap{key: old}.Diff(resource.PropertyMap{key: new}), true)
			if len(changes) == 0 {
				continue
			}
		}
		result.Changes = plugin.DiffSome
		result.ChangedKeys = append(result.ChangedKeys, key)
		if replace {
			result.ReplaceKeys = append(result.ReplaceKeys, key)
		}
		for path, d := range changes {
			if replace {
				d = d.ToReplace()
			}
			result.DetailedDiff[path] = d
		}
	}
	slices.Sort(result.ChangedKeys)
	slices.Sort(result.ReplaceKeys)
	return result
}

// Create dispatches to the resource's Consul calls; a preview returns the inputs with computed values unknown.
func (p *Provider) Create(_ context.Context, req plugin.CreateRequest) (plugin.CreateResponse, error) {
	ops, err := operationsFor(string(req.Type))
	if err != nil {
		return plugin.CreateResponse{}, err
	}
	if req.Preview {
		return plugin.CreateResponse{Properties: ops.preview(req.Properties, nil)}, nil
	}
	client, err := p.consul()
	if err != nil {
		return plugin.CreateResponse{}, err
	}
	id, outputs, err := ops.create(client, plainMap(req.Properties))
	if err != nil {
		return plugin.CreateResponse{}, fmt.Errorf("consul stand-in: creating %s %q: %w", req.Type, req.Name, err)
	}
	return plugin.CreateResponse{ID: resource.ID(id), Properties: outputs}, nil
}

// Read refreshes outputs from Consul; the inputs keep the program's shape, filled with live values.
func (p *Provider) Read(_ context.Context, req plugin.ReadRequest) (plugin.ReadResponse, error) {
	ops, err := operationsFor(string(req.Type))
	if err != nil {
		return plugin.ReadResponse{}, err
	}
	client, err := p.consul()
	if err != nil {
		return plugin.ReadResponse{}, err
	}
	outputs, err := ops.read(client, string(req.ID), plainMap(req.State), plainMap(req.Inputs))
	if err != nil {
		return plugin.ReadResponse{}, fmt.Errorf("consul stand-in: reading %s %q: %w", req.Type, req.ID, err)
	}
	if outputs == nil {
		return plugin.ReadResponse{ReadResult: plugin.ReadResult{}, Status: resource.StatusOK}, nil
	}
	inputs := projectInputs(outputs, req.Inputs)
	return plugin.ReadResponse{ReadResult: plugin.ReadResult{ID: req.ID, Inputs: inputs, Outputs: outputs},
		Status: resource.StatusOK}, nil
}

// Update applies changed inputs in place (replacements never reach here: Diff asked for them).
func (p *Provider) Update(_ context.Context, req plugin.UpdateRequest) (plugin.UpdateResponse, error) {
	ops, err := operationsFor(string(req.Type))
	if err != nil {
		return plugin.UpdateResponse{}, err
	}
	if req.Preview {
		return plugin.UpdateResponse{Properties: ops.preview(req.NewInputs, req.OldOutputs)}, nil
	}
	client, err := p.consul()
	if err != nil {
		return plugin.UpdateResponse{}, err
	}
	outputs, err := ops.update(client, string(req.ID), plainMap(req.NewInputs))
	if err != nil {
		return plugin.UpdateResponse{}, fmt.Errorf("consul stand-in: updating %s %q: %w", req.Type, req.ID, err)
	}
	return plugin.UpdateResponse{Properties: outputs}, nil
}

// Delete removes the object from Consul; an object already gone counts as deleted.
func (p *Provider) Delete(_ context.Context, req plugin.DeleteRequest) (plugin.DeleteResponse, error) {
	ops, err := operationsFor(string(req.Type))
	if err != nil {
		return plugin.DeleteResponse{}, err
	}
	client, err := p.consul()
	if err != nil {
		return plugin.DeleteResponse{}, err
	}
	if err := ops.remove(client, string(req.ID), plainMap(req.Outputs)); err != nil && !isNotFound(err) {
		return plugin.DeleteResponse{}, fmt.Errorf("consul stand-in: deleting %s %q: %w", req.Type, req.ID, err)
	}
	return plugin.DeleteResponse{}, nil
}

func unsupportedType(token string) error {
	return fmt.Errorf("consul stand-in: %s is not supported (supported: %s, %s, %s)",
		token, intentionsType, aclPolicyType, aclTokenType)
}

// isNotFound recognises Consul's answers for a missing object (404, or 403 "ACL not found" for ACL objects).
func isNotFound(err error) bool {
	if err == nil {
		return false
	}
	var status api.StatusError
	if errors.As(err, &status) {
		return status.Code == 404 || (status.Code == 403 && strings.Contains(status.Body, "ACL not found"))
	}
	return strings.Contains(err.Error(), "ACL not found")
}
