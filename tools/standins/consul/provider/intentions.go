package provider

import (
	"errors"
	"fmt"

	"github.com/hashicorp/consul/api"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// intentions manages a service-intentions config entry; its ID is the destination service name.
type intentions struct{}

func (intentions) entry(inputs map[string]any) *api.ServiceIntentionsConfigEntry {
	entry := &api.ServiceIntentionsConfigEntry{
		Kind:      api.ServiceIntentions,
		Name:      str(inputs, "name"),
		Namespace: str(inputs, "namespace"),
		Partition: str(inputs, "partition"),
		Meta:      strMap(inputs, "meta"),
	}
	for _, s := range objList(inputs, "sources") {
		entry.Sources = append(entry.Sources, &api.SourceIntention{
			Name:          str(s, "name"),
			Action:        api.IntentionAction(str(s, "action")),
			Description:   str(s, "description"),
			Namespace:     str(s, "namespace"),
			Partition:     str(s, "partition"),
			Peer:          str(s, "peer"),
			SamenessGroup: str(s, "samenessGroup"),
			Type:          api.IntentionSourceType(str(s, "type")),
		})
	}
	return entry
}

func (i intentions) create(c *consulClient, inputs map[string]any) (string, resource.PropertyMap, error) {
	entry := i.entry(inputs)
	// Never take over an entry someone else made. (Consul 1.16 ignores cas=0 on config entries, so look first.)
	existing, err := i.read(c, entry.Name, inputs, inputs)
	if err != nil {
		return "", nil, err
	}
	if existing != nil {
		return "", nil, fmt.Errorf("a service-intentions entry for %q already exists; import it instead", entry.Name)
	}
	if _, _, err := c.ConfigEntries().Set(entry, writeOptions(inputs)); err != nil {
		return "", nil, err
	}
	outputs, err := i.read(c, entry.Name, inputs, inputs)
	if err == nil && outputs == nil {
		err = errors.New("the entry vanished right after it was written")
	}
	return entry.Name, outputs, err
}

func (i intentions) read(c *consulClient, id string, state, _ map[string]any) (resource.PropertyMap, error) {
	got, _, err := c.ConfigEntries().Get(api.ServiceIntentions, id, queryOptions(state))
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	entry, ok := got.(*api.ServiceIntentionsConfigEntry)
	if !ok {
		return nil, fmt.Errorf("unexpected config entry %T", got)
	}
	out := outputs{}
	out.str("name", entry.Name)
	out.str("namespace", entry.Namespace)
	out.str("partition", entry.Partition)
	out.strMap("meta", entry.Meta)
	var sources []outputs
	for _, s := range entry.Sources {
		source := outputs{"precedence": resource.NewProperty(float64(s.Precedence))}
		source.str("name", s.Name)
		source.str("action", string(s.Action))
		source.str("description", s.Description)
		source.str("namespace", s.Namespace)
		source.str("partition", s.Partition)
		source.str("peer", s.Peer)
		source.str("samenessGroup", s.SamenessGroup)
		source.str("type", string(s.Type))
		sources = append(sources, source)
	}
	out.objList("sources", sources)
	return resource.PropertyMap(out), nil
}

func (i intentions) update(c *consulClient, id string, inputs map[string]any) (resource.PropertyMap, error) {
	entry := i.entry(inputs)
	if entry.Name != id {
		return nil, fmt.Errorf("name %q differs from the entry %q (a rename must replace)", entry.Name, id)
	}
	if _, _, err := c.ConfigEntries().Set(entry, writeOptions(inputs)); err != nil {
		return nil, err
	}
	outputs, err := i.read(c, id, inputs, inputs)
	if err == nil && outputs == nil {
		err = errors.New("the entry vanished right after it was written")
	}
	return outputs, err
}

func (intentions) remove(c *consulClient, id string, state map[string]any) error {
	_, err := c.ConfigEntries().Delete(api.ServiceIntentions, id, writeOptions(state))
	return err
}

func (intentions) preview(inputs, _ resource.PropertyMap) resource.PropertyMap {
	return inputs.Copy()
}
