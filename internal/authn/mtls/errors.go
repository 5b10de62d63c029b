package mtls

import (
	"errors"

	"github.com/apiguard/apiguard/internal/problem"
)

// Reasons a verified client certificate is refused. They are wrapped in
// the Cause of the 401 problem and can be tested with errors.Is.
var (
	// ErrExpired: the clock is past the leaf's NotAfter.
	ErrExpired = errors.New("mtls: client certificate expired")
	// ErrNotYetValid: the clock is before the leaf's NotBefore.
	ErrNotYetValid = errors.New("mtls: client certificate not valid yet")
	// ErrUsage: the leaf is a CA or not for client authentication.
	ErrUsage = errors.New("mtls: certificate not for client authentication")
	// ErrUntrusted: no verified chain ends at a CA of WithTrustedCAs.
	ErrUntrusted = errors.New("mtls: certificate not issued by a trusted CA")
	// ErrNoIdentity: the leaf lacks the part subject_from names.
	ErrNoIdentity = errors.New("mtls: certificate has no identity of the configured kind")
	// ErrInvalidIdentity: the identity is ambiguous, too long or not
	// printable.
	ErrInvalidIdentity = errors.New("mtls: certificate identity not usable")
)

// deny is the 401 problem for a refused certificate; detail is
// client-safe (it names the reason, never the certificate's contents).
func deny(detail string, cause error) *problem.Error {
	return problem.Unauthenticated(detail, false).WithCause(cause)
}
