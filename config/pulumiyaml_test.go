package config

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// projectKey is one key declared under `config:` in Pulumi.yaml.
type projectKey struct {
	Type        string `yaml:"type"`
	Default     any    `yaml:"default"`
	Description string `yaml:"description"`
	Secret      bool   `yaml:"secret"`
}

func readProjectKeys(t *testing.T) map[string]projectKey {
	t.Helper()
	raw, err := os.ReadFile("../Pulumi.yaml")
	require.NoError(t, err)
	var project struct {
		Config map[string]projectKey `yaml:"config"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &project))
	require.NotEmpty(t, project.Config)
	return project.Config
}

func TestPulumiYAMLDeclaresExactlyTheKeysTheProgramReads(t *testing.T) {
	declared := []string{}
	for k := range readProjectKeys(t) {
		declared = append(declared, k)
	}
	read := append([]string(nil), Keys...)
	sort.Strings(declared)
	sort.Strings(read)
	assert.Equal(t, read, declared, "Pulumi.yaml config keys and config.Keys differ")
}

func TestPulumiYAMLDefaultsEqualConfigDefaults(t *testing.T) {
	keys := readProjectKeys(t)
	for name, k := range keys {
		if k.Default == nil {
			_, has := Defaults[name]
			assert.False(t, has, "%s has a default in config.Defaults but none in Pulumi.yaml", name)
			continue
		}
		if goDefault, ok := structuredDefaults[name]; ok {
			assert.JSONEq(t, jsonOf(t, goDefault), jsonOf(t, k.Default), "default of %s", name)
			continue
		}
		assert.Equal(t, Defaults[name], fmt.Sprint(k.Default), "default of %s", name)
	}
	for name := range Defaults {
		assert.NotNil(t, keys[name].Default, "%s has a default in config.Defaults but none in Pulumi.yaml", name)
	}
}

// structuredDefaults are the Go values behind Pulumi.yaml's object and array defaults.
var structuredDefaults = map[string]any{
	"image":        DefaultImage,
	"intentions":   DefaultIntentions,
	"hosts":        []any{},
	"tags":         map[string]string{},
	"jumpHost":     map[string]string{},
	"networkStack": map[string]string{},
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func TestPulumiYAMLKeysAreTypedAndDescribed(t *testing.T) {
	for name, k := range readProjectKeys(t) {
		assert.Contains(t, []string{"string", "integer", "boolean", "array", "object"}, k.Type, "type of %s", name)
		assert.NotEmpty(t, k.Description, "description of %s", name)
	}
}

func TestSSHPrivateKeyIsDeclaredSecretWithoutDefault(t *testing.T) {
	k := readProjectKeys(t)["sshPrivateKey"]
	assert.True(t, k.Secret)
	assert.Nil(t, k.Default)
}
