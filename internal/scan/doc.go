// Package scan is apiguard's API security scanner engine: it discovers a
// running API's operations (from an OpenAPI document, a gateway
// configuration or by crawling), sends one baseline request per operation,
// and runs checks (package checks) against it, as an attacker would but
// with bounded traffic.
//
// Every request goes through Client, the only sender: it enforces the
// request budget (--max-requests), the rate (--rate), per-request timeouts,
// retries on transport errors only, and the destructive-method guard, and
// it records every exchange so checks can quote it as evidence (with
// secrets masked by Mask).
package scan
