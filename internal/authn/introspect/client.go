package introspect

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// basicAuth is the Authorization value of RFC 6749 §2.3.1: client id
// and secret each form-url-encoded, then HTTP Basic.
func basicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

// noRedirect refuses every redirect (the 3xx is then a failure): the
// token and the client credentials go to the configured endpoint only.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// defaultClient is the client used without WithHTTPClient.
func defaultClient(timeout time.Duration) *http.Client {
	tr, ok := http.DefaultTransport.(*http.Transport)
	if ok {
		tr = tr.Clone()
	} else {
		tr = &http.Transport{Proxy: http.ProxyFromEnvironment}
	}
	tr.ResponseHeaderTimeout = timeout
	tr.MaxResponseHeaderBytes = 64 << 10
	return &http.Client{Transport: tr, Timeout: timeout}
}

// call asks the endpoint about tok. Errors wrap ErrUnavailable or
// ErrBadResponse; none of them contains the token or the secret.
func (a *Authenticator) call(ctx context.Context, tok string) (*answer, error) {
	select {
	case a.slots <- struct{}{}:
		defer func() { <-a.slots }()
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: no free connection slot: %w", ErrUnavailable, context.Cause(ctx))
	}
	body := "token=" + url.QueryEscape(tok) + "&token_type_hint=access_token"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.endpoint, strings.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	req.Header.Set("Authorization", a.basic)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: status %d", ErrUnavailable, resp.StatusCode)
	}
	if !isJSON(resp.Header.Get("Content-Type")) {
		return nil, fmt.Errorf("%w: content type is not JSON", ErrBadResponse)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: reading the response: %w", ErrUnavailable, err)
	}
	if len(b) > MaxResponseSize {
		return nil, fmt.Errorf("%w: response over %d bytes", ErrBadResponse, MaxResponseSize)
	}
	return parseAnswer(b)
}

// isJSON accepts application/json and application/*+json. A missing
// Content-Type is tolerated: the body must parse anyway.
func isJSON(ct string) bool {
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}
