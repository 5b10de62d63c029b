// Package totp verifies the RFC 6238 one-time codes that API keys
// enrolled with --totp send in X-OTP on step-up routes.
//
// Codes are computed with github.com/pquerna/otp (HMAC-SHA1, 6 digits,
// 30-second steps). Replay protection is ours: the code is compared, in
// constant time, with the codes of the current step and one step either
// side; the matching step is then recorded in the store atomically
// (store.TOTP.MarkUsed), which refuses it when it is not newer than the
// last step used. So a code works once, even within its window, and
// never after a later code was accepted; two gateways racing with the
// same code admit one request.
//
// Security contract: seeds are read decrypted from the store for one
// verification and wiped after; codes and seeds never appear in errors.
package totp

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"

	"github.com/apiguard/apiguard/internal/store"
)

// Parameters of every enrolment (the authenticator-app defaults).
const (
	Period   = 30 * time.Second
	Digits   = 6
	Skew     = 1 // steps accepted either side of the current one
	SeedSize = 20
	Issuer   = "apiguard"
)

// Verification errors; test them with errors.Is.
var (
	// ErrInvalid: the code is malformed or matches no step in the window.
	ErrInvalid = errors.New("invalid TOTP code")
	// ErrReplayed: the code is valid but its step (or a later one) was
	// already used.
	ErrReplayed = errors.New("TOTP code already used")
	// ErrNotEnrolled: the key has no TOTP enrolment.
	ErrNotEnrolled = store.ErrNotEnrolled
)

// Verifier checks codes against the enrolments of a store.
type Verifier struct {
	st  store.Store
	now func() time.Time
}

// Option configures a Verifier.
type Option func(*Verifier)

// WithClock replaces time.Now (tests).
func WithClock(now func() time.Time) Option { return func(v *Verifier) { v.now = now } }

// NewVerifier returns a Verifier over st.
func NewVerifier(st store.Store, opts ...Option) *Verifier {
	v := &Verifier{st: st, now: time.Now}
	for _, o := range opts {
		o(v)
	}
	return v
}

// Verify accepts code for the key once. It returns nil, ErrInvalid,
// ErrReplayed, ErrNotEnrolled, or a store error (the step-up stage should
// fail closed on it).
func (v *Verifier) Verify(ctx context.Context, keyID, code string) error {
	if !wellFormed(code) {
		return ErrInvalid // no store access for garbage
	}
	seed, err := v.st.TOTP().Seed(ctx, keyID)
	if err != nil {
		return fmt.Errorf("totp: %w", err)
	}
	step, ok := matchStep(seed, code, v.now())
	clear(seed)
	if !ok {
		return ErrInvalid
	}
	used, err := v.st.TOTP().MarkUsed(ctx, keyID, step)
	if err != nil {
		return fmt.Errorf("totp: %w", err)
	}
	if used {
		return ErrReplayed
	}
	return nil
}

func wellFormed(code string) bool {
	if len(code) != Digits {
		return false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

// matchStep compares code with every step of the window (all of them, in
// constant time each) and returns the latest step it matches.
func matchStep(seed []byte, code string, now time.Time) (int64, bool) {
	cur := Step(now)
	var match int64
	found := 0
	for s := cur - Skew; s <= cur+Skew; s++ {
		if s < 0 {
			continue
		}
		c, err := codeAt(seed, s)
		if err != nil {
			continue
		}
		eq := subtle.ConstantTimeCompare([]byte(c), []byte(code))
		if eq == 1 {
			match = s
		}
		found |= eq
	}
	return match, found == 1
}

// Step is the RFC 6238 time step of t.
func Step(t time.Time) int64 { return t.Unix() / int64(Period/time.Second) }

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

func codeAt(seed []byte, step int64) (string, error) {
	return hotp.GenerateCodeCustom(b32.EncodeToString(seed), uint64(step), hotp.ValidateOpts{
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
}

// Code returns the code of seed at t, as an authenticator app shows it.
func Code(seed []byte, t time.Time) (string, error) { return codeAt(seed, Step(t)) }

// NewSeed returns a fresh SeedSize-byte seed from crypto/rand.
func NewSeed() ([]byte, error) {
	seed := make([]byte, SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, fmt.Errorf("totp seed: %w", err)
	}
	return seed, nil
}

// URI returns the otpauth:// URI an authenticator app enrols from. It
// contains the seed: show it once, like the key.
func URI(account string, seed []byte) (string, error) {
	k, err := totp.Generate(totp.GenerateOpts{
		Issuer: Issuer, AccountName: account, Secret: seed,
		Period: uint(Period / time.Second), Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return "", fmt.Errorf("totp uri: %w", err)
	}
	return k.URL(), nil
}
