package mask

import "bytes"

// PEM private key blocks.
const (
	pemBegin    = "-----BEGIN "
	pemEnd      = "-----END "
	pemDashes   = "-----"
	maxPEMLabel = 64
)

// pemLabel returns the length of the label ([A-Z0-9 ], at most
// maxPEMLabel bytes) at the start of w.
func pemLabel(w []byte) int {
	i := 0
	for i < len(w) && i <= maxPEMLabel && (class[w[i]]&cUpper != 0 || w[i] == ' ') {
		i++
	}
	if i > maxPEMLabel {
		return 0
	}
	return i
}

// matchPEMBegin returns the length of a "-----BEGIN ... PRIVATE KEY-----"
// line at the start of w, or 0.
func matchPEMBegin(w []byte) int {
	if !bytes.HasPrefix(w, []byte(pemBegin)) {
		return 0
	}
	l := pemLabel(w[len(pemBegin):])
	label := w[len(pemBegin) : len(pemBegin)+l]
	if l == 0 || !bytes.HasPrefix(w[len(pemBegin)+l:], []byte(pemDashes)) || !bytes.Contains(label, []byte("PRIVATE KEY")) {
		return 0
	}
	return len(pemBegin) + l + len(pemDashes)
}

// pemStep returns how many bytes of a PEM body the skip state consumes at
// the start of w (0: the body has ended before w), and whether they end
// the block ("-----END ...-----"). The body is base64, whitespace, the
// header characters ':' ',' '-', and escaped line breaks and slashes: a
// run of backslashes then n, r, t or / (\n in a JSON string, \\n in JSON
// encoded twice). A run and its letter are consumed together, so the
// skip never ends inside a JSON escape.
func pemStep(w []byte) (int, bool) {
	c := w[0]
	switch {
	case class[c]&(cB64|cSpace) != 0, c == ':', c == ',':
		return 1, false
	case c == '-':
		if bytes.HasPrefix(w, []byte(pemEnd)) {
			rest := w[len(pemEnd):]
			if l := pemLabel(rest); l > 0 && bytes.HasPrefix(rest[l:], []byte(pemDashes)) {
				return len(pemEnd) + l + len(pemDashes), true
			}
		}
		return 1, false
	case c == '\\':
		k := 1
		for k < len(w) && k < 8 && w[k] == '\\' {
			k++
		}
		if k < len(w) {
			switch w[k] {
			case 'n', 'r', 't', '/':
				return k + 1, false
			}
		}
	}
	return 0, false
}
