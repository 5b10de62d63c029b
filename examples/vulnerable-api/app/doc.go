// Package app is a DELIBERATELY VULNERABLE example API: the showcase
// target of `apiguard scan` and of the gateway configuration in
// examples/apiguard.yaml. Never deploy it, and never let it listen on
// anything but loopback.
//
// It is a small shop API (users, orders, products), served over plain
// HTTP and over weak TLS (WeakTLSConfig) by ../main.go, whose
// documented operations are described in ../openapi.yaml. Each flaw the
// scanner looks for is present exactly once on purpose, and marked in the
// code with a "DELIBERATELY VULNERABLE (<check id>):" comment
// (auth.missing, jwt.alg-none, bola.suspected, ...). The "fixed" version
// of this API is not a flag of this package: it is the same handler
// behind apiguard.
//
// State lives in memory, is seeded deterministically (see seed.go), is
// safe for concurrent use and holds at most MaxObjects created objects.
package app
