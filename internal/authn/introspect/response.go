package introspect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
)

// MaxResponseSize bounds an introspection answer, in bytes.
const MaxResponseSize = 64 << 10

// maxNumericDate is year 5138: beyond it a date is nonsense (as in the
// jwt package).
const maxNumericDate = 1e11

// answer is what an introspection response says, as decoded; nothing in
// it is judged yet.
type answer struct {
	active                  bool
	sub, username, clientID string
	scope                   string
	hasScope                bool
	tokenType               string
	exp, nbf                time.Time // zero: absent
}

// members we read, each at most once.
const (
	mActive = 1 << iota
	mSub
	mUsername
	mClientID
	mScope
	mTokenType
	mExp
	mNbf
)

var memberBits = map[string]int{
	"active": mActive, "sub": mSub, "username": mUsername, "client_id": mClientID,
	"scope": mScope, "token_type": mTokenType, "exp": mExp, "nbf": mNbf,
}

// parseAnswer decodes an RFC 7662 §2.2 response: one JSON object, member
// names matched exactly, a member we read at most once, "active" a
// boolean, the optional members null or of their type. Any error wraps
// ErrBadResponse.
func parseAnswer(body []byte) (*answer, error) {
	a, err := decodeAnswer(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadResponse, err)
	}
	return a, nil
}

func decodeAnswer(body []byte) (*answer, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	a := &answer{}
	seen := 0
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := t.(string)
		bit := memberBits[name]
		if bit == 0 {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, err
			}
			continue
		}
		if seen&bit != 0 {
			return nil, fmt.Errorf("member %q repeated", name)
		}
		seen |= bit
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if err := a.set(bit, v); err != nil {
			return nil, fmt.Errorf("member %q: %w", name, err)
		}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return nil, errors.New("unterminated object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the object")
	}
	if seen&mActive == 0 {
		return nil, errors.New(`no "active" member`)
	}
	return a, nil
}

// set stores one member's decoded value.
func (a *answer) set(bit int, v any) error {
	if bit == mActive {
		b, ok := v.(bool)
		if !ok {
			return errors.New("not a boolean")
		}
		a.active = b
		return nil
	}
	if v == nil { // null: absent
		return nil
	}
	switch bit {
	case mExp, mNbf:
		n, ok := v.(json.Number)
		if !ok {
			return errors.New("not a number")
		}
		t, err := numericDate(n)
		if err != nil {
			return err
		}
		if bit == mExp {
			a.exp = t
		} else {
			a.nbf = t
		}
		return nil
	}
	s, ok := v.(string)
	if !ok {
		return errors.New("not a string")
	}
	switch bit {
	case mSub:
		a.sub = s
	case mUsername:
		a.username = s
	case mClientID:
		a.clientID = s
	case mScope:
		a.scope, a.hasScope = s, true
	case mTokenType:
		a.tokenType = s
	}
	return nil
}

// numericDate decodes seconds since the epoch (RFC 7519 §2), which may
// have a fraction; 0 is the epoch, not "absent".
func numericDate(n json.Number) (time.Time, error) {
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || f < 0 || f > maxNumericDate {
		return time.Time{}, errors.New("not a date in range")
	}
	whole, frac := math.Modf(f)
	return time.Unix(int64(whole), int64(frac*1e9)), nil
}
