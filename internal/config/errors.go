package config

import (
	"fmt"
	"strings"
)

// FieldError is one problem in a configuration, located by the field path
// it concerns (server.tls.min_version, routes[2].upstream, upstreams.orders.url).
// Path is empty for a problem with the file as a whole (size, YAML syntax).
type FieldError struct {
	Path string
	Msg  string
	// Err is the underlying cause, when there is one (e.g. a file that
	// cannot be read); it is reachable with errors.Is / errors.As.
	Err error
}

// Error returns "path: reason", or the reason alone when Path is empty.
func (e FieldError) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// Unwrap returns the underlying cause, if any.
func (e FieldError) Unwrap() error { return e.Err }

// Error is the error Load and Parse return for an invalid configuration: every
// problem found, in file order as far as possible. Use errors.As to get it.
// Errors that are not about the content (the file cannot be read) are not
// an *Error.
type Error struct {
	Errors []FieldError
}

// Error returns one "path: reason" line per problem.
func (e *Error) Error() string {
	lines := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		lines[i] = fe.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the individual FieldErrors, so errors.As(err, &FieldError{})
// and errors.Is(err, fs.ErrNotExist) see them.
func (e *Error) Unwrap() []error {
	errs := make([]error, len(e.Errors))
	for i, fe := range e.Errors {
		errs[i] = fe
	}
	return errs
}

// maxErrors bounds how many problems one load reports; a file that is
// wrong everywhere (the wrong file, say) gets a readable answer.
const maxErrors = 100

// errList collects FieldErrors.
type errList struct {
	errs      []FieldError
	truncated bool
	// shadow holds the paths of values that failed to decode; problems
	// found later at those paths, under them or at their parents are
	// consequences and not reported.
	shadow []string
}

func (l *errList) add(path, format string, args ...any) {
	l.addErr(path, nil, format, args...)
}

func (l *errList) addErr(path string, cause error, format string, args ...any) {
	if l.shadowed(path) {
		return
	}
	if len(l.errs) >= maxErrors {
		l.truncated = true
		return
	}
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	l.errs = append(l.errs, FieldError{Path: path, Msg: msg, Err: cause})
}

func (l *errList) empty() bool { return len(l.errs) == 0 }

func (l *errList) shadowed(path string) bool {
	for _, s := range l.shadow {
		if path == s || under(path, s) || (path != "" && under(s, path)) {
			return true
		}
	}
	return false
}

// under reports whether path is inside parent: parent.x or parent[i].
func under(path, parent string) bool {
	if parent == "" {
		return path != ""
	}
	return len(path) > len(parent) && path[:len(parent)] == parent && (path[len(parent)] == '.' || path[len(parent)] == '[')
}

// err returns the collected problems as an *Error, or nil.
func (l *errList) err() error {
	if len(l.errs) == 0 {
		return nil
	}
	errs := l.errs
	if l.truncated {
		errs = append(errs[:len(errs):len(errs)], FieldError{Msg: fmt.Sprintf("too many errors (only the first %d are shown)", maxErrors)})
	}
	return &Error{Errors: errs}
}
