package infra

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAutoJoinUsesTheNICTagAndTheSubscription(t *testing.T) {
	assert.Equal(t,
		"provider=azure tag_name=consul-cluster tag_value=ragmesh-dev subscription_id=sub",
		AutoJoin(AutoJoinTag{Name: "consul-cluster", Value: "ragmesh-dev"}, "sub"))
}

func TestRetryJoinMatchesTheTagOnEveryNIC(t *testing.T) {
	r := deploy(t, testConfig(3, 1), false)
	assert.Equal(t, "provider=azure tag_name=consul-cluster tag_value=ragmesh-test subscription_id="+testSubscription,
		r.network.RetryJoin)
	assert.NotContains(t, r.network.RetryJoin, "secret_access_key", "the agents use their managed identity")
	for _, nic := range r.mocks.ofType(tNIC) {
		assert.Equal(t, "ragmesh-test", nic.Inputs["tags"].(map[string]any)["consul-cluster"])
	}
}
