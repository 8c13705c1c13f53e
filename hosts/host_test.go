package hosts

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func set(roles ...Role) Set {
	var s Set
	for i, r := range roles {
		s = append(s, Host{Role: r, Name: string(r) + string(rune('a'+i))})
	}
	return s
}

func TestCheckAcceptsAQuorumWithOneChromaAndApps(t *testing.T) {
	for _, s := range []Set{
		set(ConsulServer, App, Chroma),
		set(ConsulServer, ConsulServer, ConsulServer, App, App, Chroma),
	} {
		assert.NoError(t, s.Check())
	}
}

func TestCheckRefusesSetsThatCannotFormTheMesh(t *testing.T) {
	for name, s := range map[string]Set{
		"two servers":     set(ConsulServer, ConsulServer, App, Chroma),
		"no server":       set(App, Chroma),
		"two chroma":      set(ConsulServer, App, Chroma, Chroma),
		"no app":          set(ConsulServer, Chroma),
		"duplicate names": {{Role: ConsulServer, Name: "x"}, {Role: App, Name: "x"}, {Role: Chroma, Name: "y"}},
	} {
		assert.Error(t, s.Check(), name)
	}
}

func TestByRoleKeepsTheGivenOrder(t *testing.T) {
	s := Set{{Role: App, Name: "b"}, {Role: Chroma, Name: "c"}, {Role: App, Name: "a"}}
	got := s.ByRole(App)
	require.Len(t, got, 2)
	assert.Equal(t, "b", got[0].Name)
	assert.Equal(t, "a", got[1].Name)
}

// TestGivenDefaultsUserAndPortAndKeepsTheKeySecret checks the given-hosts source fills root and 22, keeps the
// data device, and never lets the private key out as plain text.
func TestGivenDefaultsUserAndPortAndKeepsTheKeySecret(t *testing.T) {
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		s := Given([]Spec{{Role: "app", Name: "app", Address: "10.0.1.5"}, {Role: "chroma", Name: "chroma", Address: "10.0.2.4", DataDevice: "/dev/sdc"}}, pulumi.String("KEY"))
		require.Len(t, s, 2)
		assert.Empty(t, s[0].DataDevice)
		assert.Equal(t, "/dev/sdc", s[1].DataDevice)
		conn := s[0].Connection.ToConnectionOutput()
		done := make(chan struct{})
		pulumi.All(conn.User(), conn.Port(), conn.PrivateKey()).ApplyT(func(v []any) error {
			assert.Equal(t, "root", *v[0].(*string))
			assert.Equal(t, 22.0, *v[1].(*float64))
			close(done)
			return nil
		})
		secret := pulumi.IsSecret(conn.PrivateKey())
		assert.True(t, secret, "the private key must stay a secret")
		<-done
		return nil
	}, pulumi.WithMocks("ragmesh", "test", noMocks{}))
	require.NoError(t, err)
}

// noMocks echoes inputs: these tests register no resources of their own.
type noMocks struct{}

type resourceProps = resource.PropertyMap

func (noMocks) NewResource(args pulumi.MockResourceArgs) (string, resourceProps, error) {
	return args.Name, args.Inputs, nil
}

func (noMocks) Call(args pulumi.MockCallArgs) (resourceProps, error) { return args.Args, nil }
