// Package mtls authenticates requests by their TLS client certificate,
// as a pipeline.Authenticator whose Method is "mtls".
//
// # Security contract
//
// The certificate is verified by the TLS listener, not here: the listener
// must use tls.VerifyClientCertIfGiven (or RequireAndVerifyClientCert)
// with ClientCAs set to server.tls.client_ca_file (never nil, which would
// mean the system roots), so that a certificate that does not chain to
// that CA fails the handshake. This package only reads
// Request.TLS.VerifiedChains: a certificate that was not verified
// (PeerCertificates alone, e.g. under tls.RequestClientCert) never
// counts. A request without TLS, or without a verified chain, is
// pipeline.ErrNoCredential, so that another method may try.
//
// As defence in depth, and because a resumed TLS session carries the
// chains verified at its first handshake, the leaf is checked again on
// every request, and refused with a 401 unauthenticated problem (a short
// detail naming the reason, the cause wrapping one of this package's
// sentinel errors) unless:
//
//   - the clock is within [NotBefore, NotAfter];
//   - it is not a CA certificate;
//   - its extended key usage explicitly lists clientAuth or any (a
//     certificate without the extension is refused);
//   - with WithTrustedCAs, some verified chain ends at one of those CAs
//     (pinning, in case the listener trusts more than it should);
//   - the identity named by subject_from exists, is printable and at most
//     1024 bytes: cn is the Subject common name (a certificate with
//     several CN attributes is refused as ambiguous), san_dns, san_email
//     and san_uri the first subject alternative name of that kind.
//
// The Principal's Subject is that value as is (its Method, "mtls", tells
// it apart from a JWT sub of the same spelling), and its ExpiresAt the
// certificate's NotAfter. Client certificates carry no scopes: an mtls
// Principal has none, so a route that requires scopes denies it (403
// forbidden), and it cannot satisfy step-up.
package mtls
