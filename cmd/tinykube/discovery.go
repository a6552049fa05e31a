package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// Every command that names a resource resolves the name through the
// server's discovery (client.Discover), not the built-in table: a custom
// resource exists when the server says it does. The answer is fetched
// once per command and kept on the cli.

// discover returns the server's resources, asking it the first time.
func (c *cli) discover(ctx context.Context, cl *client.Client) (*api.ResourceSet, error) {
	if c.resources == nil {
		rs, err := client.Discover(ctx, cl)
		if err != nil {
			return nil, err
		}
		c.resources = rs
	}
	return c.resources, nil
}

// rediscover forgets what discovery said, so that the next resolution
// sees resources defined since (apply defines CRDs, then uses them).
func (c *cli) rediscover() { c.resources = nil }

// lookup resolves a resource as typed on the command line ("crontabs",
// "ct", "crontab.stable.example.com", "deploy") through discovery.
func (c *cli) lookup(ctx context.Context, cl *client.Client, name string) (*api.Resource, error) {
	rs, err := c.discover(ctx, cl)
	if err != nil {
		return nil, err
	}
	return rs.Lookup(name)
}

// category returns the preferred version of every resource in the
// category ("all": pods, services, workloads, and custom resources that
// list "all" in their categories), ordered by group and plural, or nil
// when name is no category.
func category(rs *api.ResourceSet, name string) []*api.Resource {
	var out []*api.Resource
	for _, r := range rs.All() {
		if rs.ByPlural(r.Group, r.Plural) != r {
			continue
		}
		if slices.Contains(r.Categories(), name) {
			out = append(out, r)
		}
	}
	return out
}

// parseTargets reads "pods web db", "pods,svc", "pod/web svc/db" or a
// category ("all"), resolving kinds through discovery.
func (c *cli) parseTargets(ctx context.Context, cl *client.Client, args []string) ([]request, error) {
	rs, err := c.discover(ctx, cl)
	if err != nil {
		return nil, err
	}
	if len(args) > 0 && strings.Contains(args[0], "/") {
		var out []request
		for _, a := range args {
			kind, name, ok := strings.Cut(a, "/")
			if !ok || name == "" {
				return nil, fmt.Errorf("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'tinykube get resource/<resource_name>' instead of 'tinykube get resource resource/<resource_name>')")
			}
			res, err := rs.Lookup(kind)
			if err != nil {
				return nil, err
			}
			out = append(out, request{res: res, names: []string{name}})
		}
		return out, nil
	}
	var out []request
	for _, kind := range strings.Split(args[0], ",") {
		res, err := rs.Lookup(kind)
		if err != nil {
			if cat := category(rs, kind); len(cat) > 0 {
				for _, r := range cat {
					out = append(out, request{res: r, names: args[1:]})
				}
				continue
			}
			return nil, err
		}
		out = append(out, request{res: res, names: args[1:]})
	}
	return out, nil
}
