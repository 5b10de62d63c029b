package gateway

import (
	"fmt"

	"github.com/apiguard/apiguard/internal/config"
	"github.com/apiguard/apiguard/internal/inspect/openapi"
	"github.com/apiguard/apiguard/internal/pipeline"
)

// specCache loads each OpenAPI document once per plan, however many
// routes name it.
type specCache map[string]*openapi.Spec

// addOpenAPI puts route i's OpenAPI validation into c: the request
// stage first in the inspect phase (a malformed request is refused
// before it is inspected for attacks), the response filter first among
// the response filters (before masking changes values the schema
// describes). A route whose operation the document lacks is an error.
// Bodies are validated up to server.limits.max_validated_body: the
// schema validator's cost grows faster than the body, so a larger
// request body is refused (413), never passed unvalidated.
func (p *Plan) addOpenAPI(c *pipeline.Chain, i int, rc *config.Route, d Deps) error {
	if rc.OpenAPI == "" {
		return nil
	}
	spec, ok := p.specs[rc.OpenAPI]
	if !ok {
		var err error
		if spec, err = openapi.Load(rc.OpenAPI); err != nil {
			return fmt.Errorf("routes[%d].openapi: %w", i, err)
		}
		p.specs[rc.OpenAPI] = spec
	}
	op, err := spec.Operation(rc.Methods, rc.Path)
	if err != nil {
		return fmt.Errorf("routes[%d].openapi: %w", i, err)
	}
	limit := min(p.maxBody, p.Config.Server.Limits.MaxValidatedBody.Bytes())
	c.Inspect = append([]pipeline.Stage{op.RequestStage(limit)}, c.Inspect...)
	f, err := op.ResponseFilter(rc.ResponseValidation, openapi.WithCounter(d.Metrics.OpenAPIResponseViolation),
		openapi.WithMaxResponseBody(p.Config.Server.Limits.MaxValidatedBody.Bytes()))
	if err != nil {
		return fmt.Errorf("routes[%d].response_validation: %w", i, err)
	}
	if f != nil {
		c.Response = append([]pipeline.ResponseFilter{f}, c.Response...)
	}
	return nil
}
