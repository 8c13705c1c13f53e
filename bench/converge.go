package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// remoteTypePrefix marks the resources whose create/update/delete runs something on a host over SSH.
const remoteTypePrefix = "command:remote:"

// selfCheckType is the component of the self-check; its children's URNs carry it in their type chain.
const selfCheckType = "ragmesh:selfcheck:SelfCheck$"

// Update is one `pulumi up`, timed, with its steps counted from the engine's events.
type Update struct {
	Seconds float64 `json:"seconds"`
	// Resources is how many resources the stack holds afterwards.
	Resources int `json:"resources"`
	// Touched counts resources that a step changed (created, updated, replaced or deleted).
	Touched int `json:"touched"`
	// SelfCheck counts the touched resources that belong to the end-of-update self-check: it runs again
	// whenever what it proves changes (e.g. the intentions), and changes nothing itself.
	SelfCheck int `json:"touched_self_check"`
	// RemoteCommands counts the touched resources that run on a host (command:remote:*).
	RemoteCommands int            `json:"remote_commands"`
	Ops            map[string]int `json:"ops"`
}

// Changed is the number of touched resources that change the deployment (all but the self-check).
func (u Update) Changed() int { return u.Touched - u.SelfCheck }

// Converge holds the deployment timings.
type Converge struct {
	// Fresh is the first up on empty hosts; VerifySeconds the mesh check after it; FreshTotalSeconds both.
	Fresh             Update  `json:"fresh_up"`
	VerifySeconds     float64 `json:"verify_seconds"`
	FreshTotalSeconds float64 `json:"fresh_to_verified_seconds"`
	Noop              Update  `json:"noop_up"`
	// IntentionAdd adds one allowed edge through config; IntentionRemove takes it away again.
	IntentionAdd    Update `json:"intention_add_up"`
	IntentionRemove Update `json:"intention_remove_up"`
}

// extraIntention is the edge the one-change measurement adds and removes; nothing calls "bench-other".
const extraIntention = `[{"source":"django-app","destination":"chromadb"},{"source":"django-app","destination":"bench-other"}]`

// objectConfig is the `config set-all --json` form of an object value: the key is typed array<object> in
// Pulumi.yaml, so it is set as an object (its text in value, the same object in objectValue).
func objectConfig(key, object string) string {
	text, _ := json.Marshal(object)
	return fmt.Sprintf(`{%q:{"value":%s,"objectValue":%s,"secret":false}}`, key, text, object)
}

func converge(ctx context.Context, stack auto.Stack, h *hosts) (c Converge, err error) {
	step("pulumi up on empty hosts")
	if c.Fresh, err = measuredUp(ctx, stack); err != nil {
		return c, err
	}
	out, err := stack.Outputs(ctx)
	if err != nil {
		return c, err
	}
	h.chromaAddress, _ = out["chromaAddress"].Value.(string)
	t := time.Now()
	if err := h.verify(); err != nil {
		return c, err
	}
	c.VerifySeconds = time.Since(t).Seconds()
	c.FreshTotalSeconds = c.Fresh.Seconds + c.VerifySeconds

	step("no-op pulumi up")
	if c.Noop, err = measuredUp(ctx, stack, optup.ExpectNoChanges()); err != nil {
		return c, err
	}

	step("one-intention change: add django-app -> bench-other")
	if err := stack.SetAllConfigJson(ctx, objectConfig("ragmesh:intentions", extraIntention), nil); err != nil {
		return c, err
	}
	if c.IntentionAdd, err = measuredUp(ctx, stack); err != nil {
		return c, err
	}
	step("one-intention change: remove it again")
	if err := stack.RemoveConfig(ctx, "ragmesh:intentions"); err != nil {
		return c, err
	}
	if c.IntentionRemove, err = measuredUp(ctx, stack); err != nil {
		return c, err
	}
	return c, h.verify()
}

// measuredUp runs `pulumi up` and counts its steps from the engine event stream.
func measuredUp(ctx context.Context, stack auto.Stack, opts ...optup.Option) (Update, error) {
	ch := make(chan events.EngineEvent)
	counted := make(chan Update, 1)
	go func() {
		u := Update{Ops: map[string]int{}}
		touched := map[string]bool{}
		for ev := range ch {
			if ev.ResourcePreEvent == nil {
				continue
			}
			m := ev.ResourcePreEvent.Metadata
			u.Ops[string(m.Op)]++
			if touches(m.Op) && !touched[m.URN] {
				touched[m.URN] = true
				u.Touched++
				if strings.Contains(m.URN, selfCheckType) {
					u.SelfCheck++
				}
				if strings.HasPrefix(m.Type, remoteTypePrefix) {
					u.RemoteCommands++
				}
			}
		}
		counted <- u
	}()
	start := time.Now()
	_, err := stack.Up(ctx, append(opts, optup.EventStreams(ch), optup.ErrorProgressStreams(os.Stderr))...)
	elapsed := time.Since(start).Seconds()
	if err != nil {
		// A CLI that fails before it starts the engine never closes the stream: do not wait for it.
		return Update{Seconds: elapsed}, err
	}
	u := <-counted
	u.Seconds = elapsed
	u.Resources, err = resourceCount(ctx, stack)
	return u, err
}

// touches tells whether a step changes anything; "same", "read" and "refresh" do not.
func touches(op apitype.OpType) bool {
	switch op {
	case apitype.OpSame, apitype.OpRead, apitype.OpRefresh, apitype.OpReadReplacement, apitype.OpReadDiscard:
		return false
	}
	return true
}

// resourceCount is the number of resources in the stack's state (0 for a new stack).
func resourceCount(ctx context.Context, stack auto.Stack) (int, error) {
	state, err := stack.Export(ctx)
	if err != nil {
		return 0, err
	}
	if len(state.Deployment) == 0 {
		return 0, nil
	}
	var d apitype.DeploymentV3
	if err := json.Unmarshal(state.Deployment, &d); err != nil {
		return 0, fmt.Errorf("reading the stack state: %w", err)
	}
	return len(d.Resources), nil
}
