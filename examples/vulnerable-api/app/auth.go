package app

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// JWTSecret signs the API's tokens (HS256).
//
// DELIBERATELY VULNERABLE (jwt.weak-secret): the first entry of every
// secret-guessing word list. Anyone who recovers it (offline, from one
// token) can mint a token for any user.
const JWTSecret = "secret"

// tokenTTL is how long a token claims to be valid (the API never checks:
// see identify).
const tokenTTL = time.Hour

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token     string `json:"token"`
	TokenType string `json:"token_type"`
	ExpiresIn int    `json:"expires_in"`
}

// login answers POST /api/v1/login with a JWT for a seeded user.
func (a *api) login(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if !decode(w, r, &req) {
		return
	}
	u, ok := a.s.login(req.Username, fakeHash(req.Password))
	if !ok {
		writeError(w, http.StatusUnauthorized, "invalid username or password")
		return
	}
	tok, err := Token(u.ID, u.Username, time.Now())
	if err != nil {
		writeError(w, http.StatusInternalServerError, "cannot sign token")
		return
	}
	writeJSON(w, http.StatusOK, loginResponse{Token: tok, TokenType: "Bearer", ExpiresIn: int(tokenTTL / time.Second)})
}

// Token returns the HS256 token login issues at now for the user id
// (sub, as a string) named username. Tests and scripts may call it to skip
// the login round trip. Seeded ids: alice 1, bob 2.
func Token(id int, username string, now time.Time) (string, error) {
	claims := jwt.MapClaims{
		"iss":  "vulnerable-api",
		"sub":  strconv.Itoa(id),
		"name": username,
		"iat":  now.Unix(),
		"exp":  now.Add(tokenTTL).Unix(),
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(JWTSecret))
}

// identify returns the caller, or false when the request carries no
// credential naming a known user.
func (a *api) identify(r *http.Request) (User, bool) {
	tok := ""
	if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		tok = strings.TrimSpace(h[7:])
	}
	// DELIBERATELY VULNERABLE (secrets.in-url): a token in the query
	// string authenticates exactly like the header, so credentials end up
	// in browser history, proxy logs and Referer headers.
	if tok == "" {
		q := r.URL.Query()
		for _, name := range []string{"access_token", "api_key", "token"} {
			if v := q.Get(name); v != "" {
				tok = v
				break
			}
		}
	}
	if tok != "" {
		sub, ok := unverifiedSubject(tok)
		if !ok {
			return User{}, false
		}
		id, err := strconv.Atoi(sub)
		if err != nil {
			return User{}, false
		}
		return a.s.userByID(id)
	}
	// Behind apiguard the gateway authenticates the client, drops the
	// Authorization header and names the caller in X-Apiguard-Subject
	// (e.g. "key:3f9a..." for an API key); such a user is created on first
	// sight. DELIBERATELY VULNERABLE: the header is trusted from anyone,
	// which is safe only while nothing but the gateway can reach this
	// port (examples/README.md, "What the gateway cannot fix").
	if sub := r.Header.Get("X-Apiguard-Subject"); sub != "" && len(sub) <= 128 {
		u, err := a.s.provision(sub)
		return u, err == nil
	}
	return User{}, false
}

// unverifiedSubject returns the sub claim of a JWT.
//
// DELIBERATELY VULNERABLE (jwt.alg-none, jwt.signature-not-verified,
// jwt.expired-accepted): the payload is base64-decoded and believed. The
// header's alg (even "none"), the signature (even empty or tampered) and
// exp are never looked at, so anyone can write {"sub":"1"} and be Alice. Correct code: jwt.Parse with jwt.WithValidMethods([]string{"HS256"}),
// jwt.WithExpirationRequired() and a strong key.
func unverifiedSubject(tok string) (string, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return "", false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return "", false
	}
	var claims struct {
		Sub string `json:"sub"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Sub == "" {
		return "", false
	}
	return claims.Sub, true
}

// requireUser returns the caller or answers 401.
func (a *api) requireUser(w http.ResponseWriter, r *http.Request) (User, bool) {
	u, ok := a.identify(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="vulnerable-api"`)
		writeError(w, http.StatusUnauthorized, "missing or invalid bearer token")
	}
	return u, ok
}
