package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// checkHostPort validates a listener address "host:port": the host may be
// empty (all interfaces), an IP address or a host name; the port 0-65535.
func checkHostPort(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("%q is not host:port", s)
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || port == "" || n > 65535 {
		return fmt.Errorf("%q: port must be a number from 0 to 65535", s)
	}
	if host != "" && net.ParseIP(host) == nil && !validHostname(host) {
		return fmt.Errorf("%q: %q is not an IP address or host name", s, host)
	}
	return nil
}

var hostnameRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$`)

func validHostname(h string) bool { return len(h) <= 253 && hostnameRE.MatchString(h) }

// isLoopbackAddr reports whether a listener address binds to loopback only.
func isLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// isLoopbackURL reports whether a URL's host is a loopback address.
func isLoopbackURL(u *url.URL) bool {
	h := u.Hostname()
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// parsePrefix accepts a CIDR ("10.0.0.0/8") or a single address.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR", s)
		}
		return p, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

var errInlinePassword = errors.New("inline secrets are not allowed: remove the password from the URL")

// checkHTTPURL validates an absolute http(s) URL with a host and no
// credentials. The URL is never echoed (it might hold a password).
func checkHTTPURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, errors.New("required")
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, errors.New("is not a valid URL")
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			return nil, errInlinePassword
		}
		return nil, errors.New("must not contain credentials (user@)")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, errors.New("must be an http:// or https:// URL")
	}
	if u.Host == "" || u.Opaque != "" {
		return nil, errors.New("must be an absolute URL with a host")
	}
	if u.Fragment != "" || strings.Contains(s, "#") {
		return nil, errors.New("must not have a #fragment")
	}
	return u, nil
}

// isToken reports whether s is an RFC 9110 token (a header or method name).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			continue
		}
		if !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}

// isScopeToken reports whether s is an RFC 6749 scope-token: printable
// ASCII without space, " or \.
func isScopeToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

var routeNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

var paramNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// checkRoutePath is a light check of a route path template; the router
// compiles it fully. It returns the path with parameter names removed
// ("/v1/orders/{}"), to find routes that overlap exactly.
func checkRoutePath(p string) (string, error) {
	if p == "" {
		return "", errors.New("required")
	}
	if !strings.HasPrefix(p, "/") {
		return "", errors.New("must start with /")
	}
	if strings.ContainsAny(p, "?#") {
		return "", errors.New("must not contain ? or #: a route matches paths, not queries")
	}
	for _, c := range p {
		if c <= ' ' || c == 0x7f {
			return "", errors.New("must not contain spaces or control characters")
		}
	}
	segs := strings.Split(p[1:], "/")
	names := map[string]bool{}
	var shape strings.Builder
	for i, seg := range segs {
		last := i == len(segs)-1
		switch {
		case seg == "" && !last:
			return "", errors.New("must not contain an empty segment (//)")
		case seg == "." || seg == "..":
			return "", errors.New("must not contain . or .. segments")
		}
		shape.WriteByte('/')
		if !strings.ContainsAny(seg, "{}") {
			shape.WriteString(seg)
			continue
		}
		inner, ok := strings.CutPrefix(seg, "{")
		inner, ok2 := strings.CutSuffix(inner, "}")
		if !ok || !ok2 {
			return "", fmt.Errorf("segment %q: a parameter must be a whole segment, {name}", seg)
		}
		name, wild := strings.CutSuffix(inner, "...")
		if !paramNameRE.MatchString(name) {
			return "", fmt.Errorf("segment %q: %q is not a valid parameter name", seg, name)
		}
		if wild && !last {
			return "", fmt.Errorf("segment %q: {name...} may only be the last segment", seg)
		}
		if names[name] {
			return "", fmt.Errorf("parameter {%s} appears twice", name)
		}
		names[name] = true
		if wild {
			shape.WriteString("{...}")
		} else {
			shape.WriteString("{}")
		}
	}
	return shape.String(), nil
}
