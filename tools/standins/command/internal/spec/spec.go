// Package spec holds what the stand-in knows of the pulumi-command 1.2.1 schema: the resource tokens, their
// input properties with types and defaults, and the Check and Diff rules built on them. It runs nothing.
package spec

import "github.com/pulumi/pulumi/sdk/v3/go/common/tokens"

// Resource type tokens served by the stand-in.
const (
	LocalCommand  tokens.Type = "command:local:Command"
	RemoteCommand tokens.Type = "command:remote:Command"
	CopyToRemote  tokens.Type = "command:remote:CopyToRemote"
)

// Logging modes of the schema's Logging enum.
const (
	LogStdout          = "stdout"
	LogStderr          = "stderr"
	LogStdoutAndStderr = "stdoutAndStderr"
	LogNone            = "none"
)

// kind is the shape a property value must have.
type kind int

const (
	kString kind = iota
	kBool
	kInteger
	kNumber
	kStringArray
	kStringMap
	kAnyArray
	kLogging
	kConnection
	kProxy
	kAssetOrArchive
)

// field describes one input property. A non-empty refuse says the schema has it but the stand-in does not
// implement it: any non-empty value fails Check with that text.
type field struct {
	kind     kind
	required bool
	refuse   string
}

const (
	refuseAgent = "SSH agent authentication is not supported by the offline stand-in; use privateKey or password"
	refusePaths = "collecting local files into outputs is not supported by the offline stand-in"
)

// inputs lists the input properties of each resource, as in the schema's inputProperties.
var inputs = map[tokens.Type]map[string]field{
	LocalCommand: {
		"addPreviousOutputInEnv": {kind: kBool},
		"archivePaths":           {kind: kStringArray, refuse: refusePaths},
		"assetPaths":             {kind: kStringArray, refuse: refusePaths},
		"create":                 {kind: kString},
		"delete":                 {kind: kString},
		"dir":                    {kind: kString},
		"environment":            {kind: kStringMap},
		"interpreter":            {kind: kStringArray},
		"logging":                {kind: kLogging},
		"stdin":                  {kind: kString},
		"triggers":               {kind: kAnyArray},
		"update":                 {kind: kString},
	},
	RemoteCommand: {
		"addPreviousOutputInEnv": {kind: kBool},
		"connection":             {kind: kConnection, required: true},
		"create":                 {kind: kString},
		"delete":                 {kind: kString},
		"environment":            {kind: kStringMap},
		"logging":                {kind: kLogging},
		"stdin":                  {kind: kString},
		"triggers":               {kind: kAnyArray},
		"update":                 {kind: kString},
	},
	CopyToRemote: {
		"connection": {kind: kConnection, required: true},
		"remotePath": {kind: kString, required: true},
		"source":     {kind: kAssetOrArchive, required: true},
		"triggers":   {kind: kAnyArray},
	},
}

// proxyFields are the properties of command:remote:ProxyConnection.
var proxyFields = map[string]field{
	"agentSocketPath":    {kind: kString, refuse: refuseAgent},
	"dialErrorLimit":     {kind: kInteger},
	"host":               {kind: kString, required: true},
	"hostKey":            {kind: kString},
	"password":           {kind: kString},
	"perDialTimeout":     {kind: kInteger},
	"port":               {kind: kNumber},
	"privateKey":         {kind: kString},
	"privateKeyPassword": {kind: kString},
	"user":               {kind: kString},
}

// connectionFields are the properties of command:remote:Connection: the proxy ones plus proxy itself.
var connectionFields = func() map[string]field {
	m := map[string]field{"proxy": {kind: kProxy}}
	for k, v := range proxyFields {
		m[k] = v
	}
	return m
}()

// connectionDefaults are the schema defaults shared by Connection and ProxyConnection.
var connectionDefaults = map[string]any{
	"port":           22.0,
	"user":           "root",
	"dialErrorLimit": 10.0,
	"perDialTimeout": 15.0,
}

// Supported reports whether the stand-in serves the resource type.
func Supported(t tokens.Type) bool {
	_, ok := inputs[t]
	return ok
}

// IsCommand reports whether the type is one of the two Command resources (as opposed to a copy).
func IsCommand(t tokens.Type) bool { return t == LocalCommand || t == RemoteCommand }
