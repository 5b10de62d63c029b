package redis

import (
	"errors"
	"net/url"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Client defaults for a store on the request path: fail in well under a
// second rather than queue requests behind a dead server. Values given
// in the URL's query (dial_timeout=, read_timeout=, ...) are kept.
const (
	DefaultDialTimeout = 500 * time.Millisecond
	DefaultIOTimeout   = 500 * time.Millisecond // read, write and pool wait
)

// ClientOptions parses a redis:// or rediss:// URL (with the password
// already in it, config.StoreDSN) into go-redis options with apiguard's
// defaults: no CLIENT SETINFO (DisableIdentity, for Redis < 7.2), no
// maintenance notifications, short timeouts that follow the context's
// deadline, one dial attempt, and one retry of a command on a broken
// connection (so a restarted server is reconnected to without an error).
// The error never repeats the URL (it may hold the password).
func ClientOptions(dsn string) (*goredis.Options, error) {
	o, err := goredis.ParseURL(dsn)
	if err != nil {
		if _, ok := errors.AsType[*url.Error](err); ok { // it may quote the URL
			return nil, errors.New("ratelimit: invalid redis URL")
		}
		return nil, errors.New("ratelimit: invalid redis URL: " + redact(err.Error(), dsn))
	}
	o.DisableIdentity = true
	o.ContextTimeoutEnabled = true
	o.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	o.DialerRetries = 1
	if o.MaxRetries == 0 {
		o.MaxRetries = 1
	}
	if o.DialTimeout == 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.ReadTimeout == 0 {
		o.ReadTimeout = DefaultIOTimeout
	}
	if o.WriteTimeout == 0 {
		o.WriteTimeout = DefaultIOTimeout
	}
	if o.PoolTimeout == 0 {
		o.PoolTimeout = DefaultIOTimeout
	}
	return o, nil
}

// NewClient returns a client for dsn with ClientOptions. It does not
// connect: the first command does.
func NewClient(dsn string) (*goredis.Client, error) {
	o, err := ClientOptions(dsn)
	if err != nil {
		return nil, err
	}
	return goredis.NewClient(o), nil
}

// redact removes the URL's password from msg.
func redact(msg, dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			return strings.ReplaceAll(msg, p, "xxxxx")
		}
	}
	return msg
}
