package urlsecrets

import (
	"context"
	"errors"
	"net/http"

	"github.com/apiguard/apiguard/internal/pipeline"
	"github.com/apiguard/apiguard/internal/problem"
)

// Stage refuses requests that carry credentials in their URL: a
// pipeline.Stage of the inspect phase, for routes with
// block_secrets_in_url: true. It is safe for concurrent use.
type Stage struct{}

// NewStage returns the stage.
func NewStage() *Stage { return &Stage{} }

// Name identifies the stage in logs, metrics and audit records.
func (*Stage) Name() string { return "secrets_in_url" }

// Check denies a request whose query has a credential-named parameter
// with a value, a secret-shaped value or name, or whose path has a
// JWT- or agk_-shaped segment: 400 secret-in-url, with a Cause that
// names the parameter (or segment) and the kind, never the value.
func (*Stage) Check(_ context.Context, x *pipeline.Exchange) error {
	f, found := scanQuery(x.In.URL.RawQuery, credentialNames)
	if !found {
		f, found = scanPath(x.In.URL.EscapedPath())
	}
	if !found {
		return nil
	}
	return problem.New(http.StatusBadRequest, problem.CodeSecretInURL, "credentials must not be sent in the URL").
		WithCause(errors.New(f.String()))
}
