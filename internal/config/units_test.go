package config

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	cases := []struct {
		in   string
		want Size
		err  string
	}{
		{"512", 512, ""},
		{"0", 0, ""},
		{"1MiB", 1 << 20, ""},
		{"16KiB", 16 << 10, ""},
		{"1GiB", 1 << 30, ""},
		{"2TiB", 2 << 40, ""},
		{"10MB", 10_000_000, ""},
		{"10KB", 10_000, ""},
		{"10kb", 10_000, ""},
		{"1 MiB", 1 << 20, ""},
		{"100B", 100, ""},
		{"-1MiB", 0, "must not be negative"},
		{"-5", 0, "must not be negative"},
		{"9223372036854775807", 1<<63 - 1, ""},
		{"9223372036854775808", 0, "too large"},
		{"8589934592GiB", 0, "too large"},
		{"1.5MiB", 0, "unknown unit"},
		{"1Mi", 0, "unknown unit"},
		{"MiB", 0, "must be a size"},
		{"", 0, "must be a size"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseSize(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("= %d, %v; want %d", got, err, tc.want)
			}
		})
	}
}

func TestSizeString(t *testing.T) {
	for in, want := range map[Size]string{1 << 20: "1MiB", 16 << 10: "16KiB", 1500: "1500B", 0: "0B", 3 << 30: "3GiB"} {
		if got := in.String(); got != want {
			t.Errorf("%d: %q want %q", in, got, want)
		}
		back, err := ParseSize(want)
		if err != nil || back != in {
			t.Errorf("round trip %q: %d %v", want, back, err)
		}
	}
}

func TestParseDuration(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"30s", 30 * time.Second, ""},
		{"5m", 5 * time.Minute, ""},
		{"1h", time.Hour, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"250ms", 250 * time.Millisecond, ""},
		{"30d", 30 * 24 * time.Hour, ""},
		{"1d12h", 36 * time.Hour, ""},
		{"0", 0, ""},
		{"0s", 0, ""},
		{"-1s", 0, "must not be negative"},
		{"-1d", 0, "must not be negative"},
		{"30", 0, "needs a unit"},
		{"1w", 0, "must be a duration"},
		{"1h-5m", 0, "must be a duration"},
		{"d", 0, "must be a duration"},
		{"999999999999d", 0, "too large"},
		{"106752d", 0, "too large"},
		{"", 0, "must be a duration"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseDuration(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || time.Duration(got) != tc.want {
				t.Fatalf("= %v, %v; want %v", time.Duration(got), err, tc.want)
			}
		})
	}
}

func TestDurationString(t *testing.T) {
	for in, want := range map[time.Duration]string{
		30 * time.Second: "30s", 5 * time.Minute: "5m", time.Hour: "1h", 90 * time.Minute: "1h30m",
		30 * 24 * time.Hour: "30d", 250 * time.Millisecond: "250ms", 0: "0s", 3661 * time.Second: "1h1m1s",
	} {
		if got := Duration(in).String(); got != want {
			t.Errorf("%v: %q want %q", in, got, want)
		}
		back, err := ParseDuration(want)
		if err != nil || time.Duration(back) != in {
			t.Errorf("round trip %q: %v %v", want, back, err)
		}
	}
}

func TestParseDate(t *testing.T) {
	d, err := ParseDate("2026-01-01")
	if err != nil || !d.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) || d.String() != "2026-01-01" {
		t.Errorf("date: %v %v", d, err)
	}
	d, err = ParseDate("2026-01-01T12:30:00+02:00")
	if err != nil || !d.Equal(time.Date(2026, 1, 1, 10, 30, 0, 0, time.UTC)) || d.String() != "2026-01-01T10:30:00Z" {
		t.Errorf("rfc3339: %v %v", d, err)
	}
	for _, bad := range []string{"2026-13-01", "01/02/2026", "", "2026-01-01 10:00"} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	// A YAML timestamp may reach the unmarshaler as a time.Time.
	var fromTime Date
	ts := time.Date(2026, 3, 1, 9, 0, 0, 0, time.FixedZone("x", 3600))
	err = fromTime.UnmarshalYAML(func(v any) error { *(v.(*any)) = ts; return nil })
	if err != nil || !fromTime.Equal(ts) || fromTime.Location() != time.UTC {
		t.Errorf("from time.Time: %v %v", fromTime, err)
	}
	b, _ := json.Marshal(Date{time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)})
	if string(b) != `"2028-01-01"` {
		t.Errorf("json %s", b)
	}
}

// TestUnitsInYAML decodes the custom types from every YAML form.
func TestUnitsInYAML(t *testing.T) {
	src := `
upstreams: {orders: {url: "http://127.0.0.1:9001", timeout: 0}}
server:
  limits: {max_body: 2048, max_header: "32KiB", idle_timeout: 1d}
defaults: {auth: none, rate_limit: {rate: 1, per: 1s, key: ip}}
routes:
  - name: a
    methods: [get, Post]
    path: /a
    upstream: orders
    deprecation:
      since: !!timestamp 2026-01-01
      sunset: !!str 2027-06-30T00:00:00Z
  - {name: b, methods: [GET], path: /b, upstream: orders, deprecation: {since: "2026-01-01T08:00:00Z"}}
`
	_, err := parseEnv(t, src, nil)
	lines := fieldErrors(t, err)
	if len(lines) != 1 || lines[0] != "upstreams.orders.timeout: must be greater than 0" {
		t.Fatalf("got %q", lines)
	}
	c, err := parseEnv(t, strings.Replace(src, ", timeout: 0", "", 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	l := c.Server.Limits
	if l.MaxBody != 2048 || l.MaxHeader != 32<<10 || l.IdleTimeout.Duration() != 24*time.Hour {
		t.Errorf("limits %+v", l)
	}
	if got := c.Routes[0].Methods; strings.Join(got, ",") != "GET,POST" {
		t.Errorf("methods %q", got)
	}
	if s := c.Routes[0].Deprecation.Sunset.String(); s != "2027-06-30" {
		t.Errorf("sunset %q", s)
	}
	if s := c.Routes[1].Deprecation.Since.String(); s != "2026-01-01T08:00:00Z" {
		t.Errorf("since %q", s)
	}

	bad := []struct{ name, src, want string }{
		{"size unit", minimal + "server: {limits: {max_body: 1MB2}}\n", `server.limits.max_body: "1MB2": unknown unit "MB2" (use B, KiB, MiB, GiB, TiB, KB, MB, GB or TB)`},
		{"size negative", minimal + "server: {limits: {max_body: -1}}\n", "server.limits.max_body: -1: must not be negative"},
		{"size list", minimal + "server: {limits: {max_body: [1]}}\n", "server.limits.max_body: must be a size such as 1MiB, 16KiB or 512"},
		{"size zero", minimal + "server: {limits: {max_body: 0}}\n", "server.limits.max_body: must be greater than 0"},
		{"duration no unit", minimal + "server: {limits: {idle_timeout: 60}}\n", "server.limits.idle_timeout: 60: needs a unit, e.g. 60s, 60m or 60h"},
		{"duration negative", minimal + "server: {limits: {idle_timeout: -5s}}\n", `server.limits.idle_timeout: "-5s": must not be negative`},
		{"date bad", strings.Replace(minimal, "upstream: orders}", "upstream: orders, deprecation: {since: 2026-02-30}}", 1), `routes[0].deprecation.since: "2026-02-30": must be a date (2026-01-01) or an RFC 3339 time (2026-01-01T00:00:00Z)`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) { wantError(t, tc.src, tc.want, nil) })
	}
}

func TestAuthMethods(t *testing.T) {
	cases := []struct {
		in   string
		want string
		err  string
	}{
		{"[jwt, api_key]", "jwt,api_key", ""},
		{"none", "none", ""},
		{"[none]", "none", ""},
		{"api_key", "api_key", ""},
		{"[none, jwt]", "", "none cannot be combined with other methods"},
		{"[jwt, jwt]", "", "jwt is listed twice"},
		{"[]", "", "must list at least one method"},
		{"[password]", "", `unknown method "password" (use jwt, introspection, api_key, mtls, or none)`},
		{"{a: b}", "", "must be a list of methods"},
		{"[[jwt]]", "", "must be a plain value, not a list"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			src := `
upstreams: {orders: {url: "http://127.0.0.1:9001"}}
identities: {api_key: {}, jwt: [{issuer: i, audiences: [a], jwks_url: "https://idp/jwks", algorithms: [RS256]}]}
defaults: {auth: ` + tc.in + `, rate_limit: {rate: 1, per: 1s, key: ip}}
routes: [{name: a, methods: [GET], path: /a, upstream: orders}]
`
			c, err := parseEnv(t, src, nil)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), "defaults.auth") || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Routes[0].Auth.String(); got != tc.want {
				t.Errorf("= %q want %q", got, tc.want)
			}
		})
	}
	b, _ := json.Marshal(AuthMethods{None: true})
	b2, _ := json.Marshal(AuthMethods{Methods: []string{"jwt"}})
	if string(b) != `"none"` || string(b2) != `["jwt"]` {
		t.Errorf("json %s %s", b, b2)
	}
}
