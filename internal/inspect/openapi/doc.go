// Package openapi is the gateway's OpenAPI validation: the pipeline stage
// named "openapi" of the inspect phase, which holds a request to the
// operation its route is documented as, and the response filter of the
// same name, which holds the upstream's answer to it (response_validation:
// report, block or off).
//
// # Life cycle
//
// [Load] reads one OpenAPI 3.0.x or 3.1.x document (JSON or YAML) and the
// files its $refs name, relative to it; [Spec.Operation] finds the
// operation of one route and compiles everything a request needs; the
// stage and the filter it returns only validate. Nothing is parsed,
// resolved or compiled per request, and all of it is safe for concurrent
// use. A reload loads the file again and builds new stages; a Spec is
// never modified after Load.
//
// References are resolved from the local file system only, relative to
// the file that holds them: a $ref or $dynamicRef to a URL (http:,
// https:, "//host/...", any scheme but file:) is a load error naming the
// file, the line and the reference, and so is a $schema other than the
// JSON Schema drafts the schema compiler has built in (it would fetch any
// other, such as the OpenAPI 3.1 dialect URI). No network access is
// attempted, at load or later. Referenced files are read wherever the
// references point ("../common/errors.yaml" included): the document is
// configuration, trusted as such.
//
// # Matching a route to an operation
//
// The gateway route's template (/v1/orders/{id}) is compared segment by
// segment with each path of the document, as written and with the path of
// each of the document's servers' URLs in front (server variables
// replaced by their default and enum values) (a server https://api.example.com/v1
// and a path /orders/{orderId} describe /v1/orders/{id}); parameter names
// need not agree. A literal segment of the spec must be the same literal
// in the route; a parameter of the spec matches a parameter of the route
// or, narrower, a literal. The best match wins (most literal segments);
// no match, a tie between two paths, a route method the path does not
// document, or a catch-all route template ({p...}) is an error naming the
// method and the path. HEAD is validated as GET when the path documents
// no HEAD of its own.
//
// # Requests
//
// The stage validates path, query, header and cookie parameters (with
// libopenapi-validator, which handles parameter styles and types) and the
// body, then answers, when anything is wrong:
//
//   - 413 payload-too-large: the body is over the stage's maxBody;
//   - 415 unsupported-media-type: a non-empty body whose media type the
//     operation does not declare, a body without a Content-Type, a body to
//     an operation that declares none, or a Content-Encoding other than
//     identity (a compressed body cannot be validated);
//   - 400 invalid-request, with Detail naming the first violation and
//     Errors listing all of them (at most 20), each as a field and a
//     reason: "body.quantity: must be >= 1", "query.limit: must be <= 100",
//     "header.X-Tenant: is required", "body.items[2].sku: must match
//     pattern", "body.role: unexpected property", "body: malformed JSON".
//
// Details never contain a value the client sent: reasons are built from
// the schema (bounds, enum values, format names), never from the
// library's messages, which quote values. Member names of the body are
// shown when they are plain identifiers ([A-Za-z0-9_$@-], at most 64
// bytes) and as "[?]" otherwise. The internal cause keeps the library's
// own message for the log.
//
// JSON bodies (application/json and any +json type) are parsed more
// strictly than encoding/json: invalid UTF-8, a duplicate member name
// (which two parsers may resolve differently) and nesting deeper than 64
// levels are "malformed JSON". Numbers keep their exact value. Bodies of
// other declared media types (forms, multipart, XML, binary) are checked
// for their content type only.
//
// A JSON body (request or response) is first read by a fast path that
// checks the common schema keywords directly on its bytes and only ever
// answers "certainly valid" or "don't know"; any other body, and every
// body of a schema using keywords it does not implement, is decoded and
// validated in full as above, so answers and messages do not depend on it
// (see fastSchema for what it implements).
//
// The stage reads the whole body (up to maxBody) and puts back on
// r.Body a reader of exactly the bytes it read, setting ContentLength to
// their number and GetBody to replay them: the upstream, and any stage
// that reads the body after this one, receives the same bytes. This is,
// with the injection filter, the only place where a stage replaces the
// request's Body.
//
// # Responses
//
// The response filter checks that the status code is documented (exactly,
// as a range such as 2XX, or by default), that a body's media type is one
// the response declares (a body where none is documented counts), and that
// a JSON body matches its schema: with additionalProperties: false in the
// response schemas, a field the API does not document (a password hash, an
// internal flag: excessive data exposure) is reported as "openapi-response:
// body.secret: unexpected property". Bodies of other media types are
// checked for their content type only; empty bodies, 1xx, 204 and 304
// responses and answers to HEAD have no body to validate.
//
// The filter reads at most WithMaxResponseBody bytes (default 1 MiB) and
// puts the body back unchanged (the bytes read, then the rest, streamed),
// touching nothing else of the response. A gzip body is decompressed for
// validation only (within the same bound). A JSON body that cannot be
// validated (over the bound, another Content-Encoding, a 206 partial
// body) is reported as "openapi-response: not validated: <reason>".
//
// In report mode the findings (the first 8, then a count of the rest) go
// to the exchange's Findings and the response goes on; in block mode any
// finding, "not validated" included (fail closed), replaces the response
// with 502 upstream-error, whose cause lists the findings for the log.
// WithCounter counts responses with findings in either mode. Findings and
// causes are built like request details: they never hold a value of the
// body (which may be the very data that should not have left).
//
// Run the filter before any filter that rewrites the body (masking): a
// masked value no longer matches its schema.
//
// # What it does not do
//
// Security requirements of the document are not checked (authentication is
// the identify phase's), nor readOnly properties sent in a request, nor
// unknown query parameters, nor response headers. Parameters declared
// with "content" are left to the library's defaults.
package openapi
