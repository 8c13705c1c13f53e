// Package runenv builds the process environment that the Go SDK's pulumi.Run reads to find
// the engine, the stack and its configuration (see sdk/go/pulumi/run.go, getEnvInfo).
package runenv

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Variable names read by pulumi.Run. They are spelled out here rather than imported so that
// a test can pin them against the SDK's exported constants.
const (
	Organization     = "PULUMI_ORGANIZATION"
	Project          = "PULUMI_PROJECT"
	RootDirectory    = "PULUMI_ROOT_DIRECTORY"
	Stack            = "PULUMI_STACK"
	Config           = "PULUMI_CONFIG"
	ConfigSecretKeys = "PULUMI_CONFIG_SECRET_KEYS"
	Parallel         = "PULUMI_PARALLEL"
	DryRun           = "PULUMI_DRY_RUN"
	Monitor          = "PULUMI_MONITOR"
	Engine           = "PULUMI_ENGINE"
)

// Settings is what the engine tells the language host about one program run.
type Settings struct {
	Organization     string
	Project          string
	RootDirectory    string
	Stack            string
	Config           map[string]string // keys are "<namespace>:<name>"
	ConfigSecretKeys []string
	Parallel         int32
	DryRun           bool
	MonitorAddress   string
	EngineAddress    string
}

// Vars returns the settings as "NAME=value" entries, sorted by name.
func (s Settings) Vars() ([]string, error) {
	cfg := s.Config
	if cfg == nil {
		cfg = map[string]string{}
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("encoding config: %w", err)
	}
	keys := s.ConfigSecretKeys
	if keys == nil {
		keys = []string{}
	}
	keysJSON, err := json.Marshal(keys)
	if err != nil {
		return nil, fmt.Errorf("encoding secret config keys: %w", err)
	}
	vars := map[string]string{
		Organization:     s.Organization,
		Project:          s.Project,
		RootDirectory:    s.RootDirectory,
		Stack:            s.Stack,
		Config:           string(cfgJSON),
		ConfigSecretKeys: string(keysJSON),
		Parallel:         strconv.FormatInt(int64(s.Parallel), 10),
		DryRun:           strconv.FormatBool(s.DryRun),
		Monitor:          s.MonitorAddress,
		Engine:           s.EngineAddress,
	}
	out := make([]string, 0, len(vars))
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out, nil
}

// Merge returns base with every entry of over applied: a variable set in over replaces the
// same variable in base, so a stale value inherited from the caller cannot leak into the run.
func Merge(base, over []string) []string {
	replaced := map[string]bool{}
	for _, kv := range over {
		replaced[name(kv)] = true
	}
	out := make([]string, 0, len(base)+len(over))
	for _, kv := range base {
		if !replaced[name(kv)] {
			out = append(out, kv)
		}
	}
	return append(out, over...)
}

func name(kv string) string {
	if i := strings.IndexByte(kv, '='); i >= 0 {
		return kv[:i]
	}
	return kv
}
