package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/apiguard/apiguard/internal/audit"
	"github.com/apiguard/apiguard/internal/authn/apikey"
	"github.com/apiguard/apiguard/internal/problem"
	"github.com/apiguard/apiguard/internal/store"
)

// maxAdminBody bounds the JSON body of an admin API call.
const maxAdminBody = 64 << 10

// keyRequest is the body of POST /api/keys.
type keyRequest struct {
	Name   string   `json:"name"`
	Scopes []string `json:"scopes"`
	// Expires is a lifetime such as "30d"; empty: never expires.
	Expires string `json:"expires"`
	// Quota is "N/day" or "N/month"; empty: none.
	Quota string `json:"quota"`
	TOTP  bool   `json:"totp"`
}

// keyCreated answers POST /api/keys: the only time the key (and the TOTP
// enrolment URI) is shown.
type keyCreated struct {
	apikey.View
	Key     string `json:"key"`
	TOTPURI string `json:"totp_uri,omitempty"`
}

// withKeyStore answers 503 when the gateway has no key store (no api_key
// identity configured).
func (g *Gateway) withKeyStore(fn func(w http.ResponseWriter, r *http.Request, st store.Store)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		st := g.deps.Store
		if st == nil {
			adminProblem(w, r, problem.New(http.StatusServiceUnavailable, problem.CodeUnavailable,
				"no key store: configure identities.api_key"))
			return
		}
		fn(w, r, st)
	}
}

func (g *Gateway) apiKeysList(w http.ResponseWriter, r *http.Request, st store.Store) {
	keys, err := st.Keys().List(r.Context())
	if err != nil {
		adminProblem(w, r, err)
		return
	}
	now := g.now()
	out := make([]apikey.View, 0, len(keys))
	for i := range keys {
		out = append(out, apikey.NewView(&keys[i], now))
	}
	writeJSON(w, http.StatusOK, out)
}

func (g *Gateway) apiKeysCreate(w http.ResponseWriter, r *http.Request, st store.Store) {
	var req keyRequest
	if err := decodeAdminJSON(w, r, &req); err != nil {
		adminProblem(w, r, err)
		return
	}
	spec, err := req.spec()
	if err != nil {
		adminProblem(w, r, problem.BadRequest(err.Error()))
		return
	}
	iss, err := apikey.Issue(r.Context(), st, spec, g.now())
	if err != nil {
		adminProblem(w, r, err)
		return
	}
	g.auditEvent(audit.TypeAdmin, "key created: "+iss.Record.ID)
	writeJSON(w, http.StatusCreated, keyCreated{View: apikey.NewView(&iss.Record, g.now()),
		Key: iss.Key.Plaintext(), TOTPURI: iss.TOTPURI})
}

func (req *keyRequest) spec() (apikey.Spec, error) {
	spec := apikey.Spec{Name: req.Name, Scopes: req.Scopes, TOTP: req.TOTP}
	var err error
	if spec.TTL, err = apikey.ParseLifetime(req.Expires, false); err != nil {
		return spec, fmt.Errorf("expires: %w", err)
	}
	if req.Quota != "" {
		if spec.Quota, err = apikey.ParseQuota(req.Quota); err != nil {
			return spec, fmt.Errorf("quota: %w", err)
		}
	}
	return spec, spec.Validate()
}

func (g *Gateway) apiKeysRevoke(w http.ResponseWriter, r *http.Request, st store.Store) {
	id := r.PathValue("id")
	err := st.Keys().Revoke(r.Context(), id, g.now())
	if errors.Is(err, store.ErrNotFound) {
		adminProblem(w, r, problem.New(http.StatusNotFound, problem.CodeNotFound, "no key with this id"))
		return
	}
	if err != nil {
		adminProblem(w, r, err)
		return
	}
	g.auditEvent(audit.TypeAdmin, "key revoked: "+id)
	writeJSON(w, http.StatusOK, map[string]string{"status": "revoked", "id": id})
}

// decodeAdminJSON decodes one bounded, strict JSON object.
func decodeAdminJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAdminBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return problem.PayloadTooLarge(mbe.Limit)
		}
		return problem.BadRequest("malformed JSON body: " + jsonErrorText(err))
	}
	if dec.More() {
		return problem.BadRequest("malformed JSON body: more than one value")
	}
	return nil
}

// jsonErrorText names what was wrong without echoing the input.
func jsonErrorText(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at offset %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("%s: must be %s", typ.Field, typ.Type)
	default:
		return err.Error()
	}
}

// adminProblem writes an admin API error; internal causes are logged by
// the caller's audit event, never sent.
func adminProblem(w http.ResponseWriter, r *http.Request, err error) {
	problem.Write(w, r, newRequestID(), err)
}
