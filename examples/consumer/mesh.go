package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The ragmesh outputs this program reads; names and types are ragmesh's documented API (README § Stack
// outputs), which ragmesh pins in program/outputs_test.go.
const (
	outDatacenter     = "consulDatacenter"  // string
	outAppAddresses   = "appAddresses"      // []string
	outChromaUpstream = "chromaUpstream"    // string
	outAppEnvFile     = "appEnvFile"        // string
	outMeshServices   = "meshServices"      // map: app, vectorStore → service names
	outAllowed        = "allowedIntentions" // []string, "source -> destination"
)

// Mesh is what an app deployment needs to know about the ragmesh stack it runs on.
type Mesh struct {
	Stack          string
	Datacenter     string
	AppAddresses   []string
	ChromaUpstream string
	AppEnvFile     string
	AppService     string
	Allowed        []string
}

// ReadMesh reads the ragmesh stack's outputs and checks each one this program depends on, so a missing or
// renamed output stops the update before anything is declared, with every problem named at once.
func ReadMesh(ctx *pulumi.Context, stack string) (*Mesh, error) {
	ref, err := pulumi.NewStackReference(ctx, "mesh", &pulumi.StackReferenceArgs{Name: pulumi.String(stack)})
	if err != nil {
		return nil, fmt.Errorf("cannot read the ragmesh stack %s: %w", stack, err)
	}
	r := reader{ref: ref}
	m := &Mesh{
		Stack:          stack,
		Datacenter:     r.str(outDatacenter),
		AppAddresses:   r.strs(outAppAddresses),
		ChromaUpstream: r.str(outChromaUpstream),
		AppEnvFile:     r.str(outAppEnvFile),
		AppService:     r.strMap(outMeshServices)["app"],
		Allowed:        r.strs(outAllowed),
	}
	if r.problems == nil {
		if len(m.AppAddresses) == 0 {
			r.problems = append(r.problems, fmt.Sprintf("output %q is empty: the stack has no app host to deploy to", outAppAddresses))
		}
		if m.AppService == "" {
			r.problems = append(r.problems, fmt.Sprintf("output %q has no \"app\" entry", outMeshServices))
		}
	}
	if len(r.problems) > 0 {
		sort.Strings(r.problems)
		return nil, fmt.Errorf("the ragmesh stack %s does not provide what this deployment needs (nothing was created):\n  - %s\n"+
			"check its outputs with `pulumi stack output --stack %s`; the names are ragmesh's README § Stack outputs",
			stack, strings.Join(r.problems, "\n  - "), stack)
	}
	return m, nil
}

// AllowsApp reports whether an intention lets the app service call some service.
func (m *Mesh) AllowsApp() bool {
	for _, edge := range m.Allowed {
		if strings.HasPrefix(edge, m.AppService+" -> ") {
			return true
		}
	}
	return false
}

// reader takes outputs from a StackReference, collecting a problem for each missing or mistyped one.
type reader struct {
	ref      *pulumi.StackReference
	problems []string
}

func (r *reader) value(name, want string) (any, bool) {
	d, err := r.ref.GetOutputDetails(name)
	if err != nil {
		r.problems = append(r.problems, fmt.Sprintf("output %q cannot be read: %v", name, err))
		return nil, false
	}
	v := d.Value
	if v == nil {
		v = d.SecretValue
	}
	if v == nil {
		r.problems = append(r.problems, fmt.Sprintf("output %q (%s) is missing: is the stack deployed, at a ragmesh version that exports it?", name, want))
		return nil, false
	}
	return v, true
}

func (r *reader) mistyped(name, want string, got any) {
	r.problems = append(r.problems, fmt.Sprintf("output %q is a %T, not a %s", name, got, want))
}

func (r *reader) str(name string) string {
	v, ok := r.value(name, "string")
	if !ok {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		r.mistyped(name, "string", v)
	}
	return s
}

func (r *reader) strs(name string) []string {
	v, ok := r.value(name, "list of strings")
	if !ok {
		return nil
	}
	list, ok := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, isStr := e.(string)
		ok = ok && isStr
		out = append(out, s)
	}
	if !ok {
		r.mistyped(name, "list of strings", v)
		return nil
	}
	return out
}

func (r *reader) strMap(name string) map[string]string {
	v, ok := r.value(name, "map of strings")
	if !ok {
		return nil
	}
	m, ok := v.(map[string]any)
	out := map[string]string{}
	for k, e := range m {
		s, isStr := e.(string)
		ok = ok && isStr
		out[k] = s
	}
	if !ok {
		r.mistyped(name, "map of strings", v)
		return nil
	}
	return out
}
