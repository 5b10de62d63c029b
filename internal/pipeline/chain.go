package pipeline

import (
	"context"
	"net/http"
)

// Chain holds a route's ready-built stages by phase. The order in which
// phases run is fixed by Run, not by configuration.
type Chain struct {
	// Screen runs first: request hygiene that must hold whoever the
	// client is (no credentials in the URL), so a URL carrying a secret is
	// refused before any credential is even looked at.
	Screen    []Stage
	Identify  []Stage
	Authorize []Stage
	Limit     []Stage
	Inspect   []Stage
	Response  []ResponseFilter
}

// Run runs the request phases in their fixed order and stops at the first
// error.
func (c *Chain) Run(ctx context.Context, x *Exchange) error {
	for _, phase := range [...][]Stage{c.Screen, c.Identify, c.Authorize, c.Limit, c.Inspect} {
		for _, s := range phase {
			if err := s.Check(ctx, x); err != nil {
				return err
			}
		}
	}
	return nil
}

// FilterResponse runs the response filters in order.
func (c *Chain) FilterResponse(x *Exchange, resp *http.Response) error {
	for _, f := range c.Response {
		if err := f.Filter(x, resp); err != nil {
			return err
		}
	}
	return nil
}

// Names lists the stages of each phase, for the admin API and plan golden
// files.
func (c *Chain) Names() map[string][]string {
	names := func(ss []Stage) []string {
		out := make([]string, 0, len(ss))
		for _, s := range ss {
			out = append(out, s.Name())
		}
		return out
	}
	resp := make([]string, 0, len(c.Response))
	for _, f := range c.Response {
		resp = append(resp, f.Name())
	}
	return map[string][]string{
		"screen": names(c.Screen), "identify": names(c.Identify), "authorize": names(c.Authorize),
		"limit": names(c.Limit), "inspect": names(c.Inspect), "response": resp,
	}
}
