package provider

import (
	"errors"

	"github.com/hashicorp/consul/api"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// aclPolicy manages an ACL policy; its ID is the policy ID Consul assigns.
type aclPolicy struct{}

func (aclPolicy) policy(id string, inputs map[string]any) *api.ACLPolicy {
	return &api.ACLPolicy{
		ID:          id,
		Name:        str(inputs, "name"),
		Description: str(inputs, "description"),
		Rules:       str(inputs, "rules"),
		Datacenters: strList(inputs, "datacenters"),
		Namespace:   str(inputs, "namespace"),
		Partition:   str(inputs, "partition"),
	}
}

func (aclPolicy) outputs(p *api.ACLPolicy) resource.PropertyMap {
	out := outputs{}
	out.str("name", p.Name)
	out.str("description", p.Description)
	out.str("rules", p.Rules)
	out.strList("datacenters", p.Datacenters)
	out.str("namespace", p.Namespace)
	out.str("partition", p.Partition)
	return resource.PropertyMap(out)
}

func (a aclPolicy) create(c *consulClient, inputs map[string]any) (string, resource.PropertyMap, error) {
	created, _, err := c.ACL().PolicyCreate(a.policy("", inputs), writeOptions(inputs))
	if err != nil {
		return "", nil, err
	}
	return created.ID, a.outputs(created), nil
}

func (a aclPolicy) read(c *consulClient, id string, state, _ map[string]any) (resource.PropertyMap, error) {
	got, _, err := c.ACL().PolicyRead(id, queryOptions(state))
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return a.outputs(got), nil
}

func (a aclPolicy) update(c *consulClient, id string, inputs map[string]any) (resource.PropertyMap, error) {
	updated, _, err := c.ACL().PolicyUpdate(a.policy(id, inputs), writeOptions(inputs))
	if err != nil {
		return nil, err
	}
	return a.outputs(updated), nil
}

func (aclPolicy) remove(c *consulClient, id string, state map[string]any) error {
	_, err := c.ACL().PolicyDelete(id, writeOptions(state))
	return err
}

func (aclPolicy) preview(inputs, _ resource.PropertyMap) resource.PropertyMap {
	return inputs.Copy()
}

// aclToken manages an ACL token; its ID is the accessor ID. The secret ID is never put in state: it is read
// on demand by the getAclTokenSecretId invoke.
type aclToken struct{}

func (aclToken) token(accessorID string, inputs map[string]any) *api.ACLToken {
	token := &api.ACLToken{
		AccessorID:  accessorID,
		Description: str(inputs, "description"),
		Local:       boolean(inputs, "local"),
		Namespace:   str(inputs, "namespace"),
		Partition:   str(inputs, "partition"),
	}
	for _, name := range strList(inputs, "policies") {
		token.Policies = append(token.Policies, &api.ACLTokenPolicyLink{Name: name})
	}
	for _, name := range strList(inputs, "roles") {
		token.Roles = append(token.Roles, &api.ACLTokenRoleLink{Name: name})
	}
	for _, s := range objList(inputs, "serviceIdentities") {
		token.ServiceIdentities = append(token.ServiceIdentities, &api.ACLServiceIdentity{
			ServiceName: str(s, "serviceName"), Datacenters: strList(s, "datacenters"),
		})
	}
	for _, n := range objList(inputs, "nodeIdentities") {
		token.NodeIdentities = append(token.NodeIdentities, &api.ACLNodeIdentity{
			NodeName: str(n, "nodeName"), Datacenter: str(n, "datacenter"),
		})
	}
	return token
}

func (aclToken) outputs(t *api.ACLToken) resource.PropertyMap {
	out := outputs{"local": resource.NewProperty(t.Local)}
	out.str("accessorId", t.AccessorID)
	out.str("description", t.Description)
	out.str("namespace", t.Namespace)
	out.str("partition", t.Partition)
	var policies, roles []string
	for _, link := range t.Policies {
		policies = append(policies, link.Name)
	}
	for _, link := range t.Roles {
		roles = append(roles, link.Name)
	}
	out.strList("policies", policies)
	out.strList("roles", roles)
	var services, nodes []outputs
	for _, s := range t.ServiceIdentities {
		identity := outputs{}
		identity.str("serviceName", s.ServiceName)
		identity.strList("datacenters", s.Datacenters)
		services = append(services, identity)
	}
	for _, n := range t.NodeIdentities {
		identity := outputs{}
		identity.str("nodeName", n.NodeName)
		identity.str("datacenter", n.Datacenter)
		nodes = append(nodes, identity)
	}
	out.objList("serviceIdentities", services)
	out.objList("nodeIdentities", nodes)
	return resource.PropertyMap(out)
}

func (a aclToken) create(c *consulClient, inputs map[string]any) (string, resource.PropertyMap, error) {
	created, _, err := c.ACL().TokenCreate(a.token(str(inputs, "accessorId"), inputs), writeOptions(inputs))
	if err != nil {
		return "", nil, err
	}
	if created.AccessorID == "" {
		return "", nil, errors.New("consul returned a token without an accessor ID")
	}
	return created.AccessorID, a.outputs(created), nil
}

func (a aclToken) read(c *consulClient, id string, state, _ map[string]any) (resource.PropertyMap, error) {
	got, _, err := c.ACL().TokenRead(id, queryOptions(state))
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return a.outputs(got), nil
}

func (a aclToken) update(c *consulClient, id string, inputs map[string]any) (resource.PropertyMap, error) {
	updated, _, err := c.ACL().TokenUpdate(a.token(id, inputs), writeOptions(inputs))
	if err != nil {
		return nil, err
	}
	return a.outputs(updated), nil
}

func (aclToken) remove(c *consulClient, id string, state map[string]any) error {
	_, err := c.ACL().TokenDelete(id, writeOptions(state))
	return err
}

// preview keeps a known accessor ID (given, or from the previous state) and leaves a new one unknown.
func (aclToken) preview(inputs, oldOutputs resource.PropertyMap) resource.PropertyMap {
	out := inputs.Copy()
	if _, ok := out["accessorId"]; !ok {
		if old, ok := oldOutputs["accessorId"]; ok {
			out["accessorId"] = old
		} else {
			out["accessorId"] = resource.MakeComputed(resource.NewProperty(""))
		}
	}
	if _, ok := out["local"]; !ok {
		out["local"] = resource.NewProperty(false)
	}
	return out
}
