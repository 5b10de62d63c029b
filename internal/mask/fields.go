package mask

import "bytes"

// JSON fields whose string values are credentials whatever they look like
// (class secrets). A field name is normalised by lower-casing it and
// dropping '_', '-', '.' and spaces; it matches when it ends with one of
// sensitiveSuffixes or equals one of sensitiveNames. So password,
// db_password, newPassword, client_secret, x-api-key, private_key,
// aws_secret_access_key, refreshToken and Authorization match, while
// token_type, csrf_token, next_page_token, key and private_key_id do not:
// they are not secrets, or are meant for the client.

// maxKey is how much of a field name is looked at, in raw bytes (its
// end: a longer name is judged by its last maxKey bytes); maxGap the most
// whitespace considered on either side of its ':'.
const (
	maxKey = 64
	maxGap = 64
)

var sensitiveSuffixes = [...]string{
	"password", "passwd", "passphrase", "passwordhash", "passworddigest",
	"secret", "secretkey", "secretaccesskey", "apikey", "privatekey",
	"accesstoken", "refreshtoken", "idtoken", "authtoken", "sessiontoken",
	"bearertoken", "apitoken", "authorization", "setcookie",
}

var sensitiveNames = [...]string{"token", "pwd", "cookie"}

// sensitiveEnd reports whether a normalised name may end with a sensitive
// suffix, by its last two bytes: the quick test run on every field name.
func sensitiveEnd(a, b byte) bool {
	switch b {
	case 'd':
		return a == 'r' || a == 'w'
	case 'e':
		return a == 's' || a == 'i'
	case 'h':
		return a == 's'
	case 't':
		return a == 's' || a == 'e'
	case 'y':
		return a == 'e'
	case 'n':
		return a == 'e' || a == 'o'
	}
	return false
}

// sensitiveKey reports whether the field name (raw JSON string content,
// or the end of a longer one) names a credential.
func sensitiveKey(name []byte) bool {
	var norm [24]byte // the normalised name's tail, right-aligned
	k := len(norm)
	for i := len(name) - 1; i >= 0 && k > 0; i-- {
		c := name[i]
		if isSep(c) || c == ' ' {
			continue
		}
		k--
		norm[k] = lower(c)
		if k == len(norm)-2 && !sensitiveEnd(norm[k], norm[k+1]) {
			return false
		}
	}
	tail := string(norm[k:]) // does not escape: no allocation
	for _, s := range sensitiveNames {
		if tail == s {
			return true
		}
	}
	for _, s := range sensitiveSuffixes {
		if len(tail) >= len(s) && tail[len(tail)-len(s):] == s {
			return true
		}
	}
	return false
}

// fieldValue returns the position of the opening quote of a non-empty
// string value when the ':' at b[i] follows a credential field name, or
// -1. It needs no lexer state: in valid JSON a quote followed by ':'
// always closes a field name when the name ends in a letter (as every
// credential name does: no backslash escapes that quote), and the name is
// what follows the previous quote.
func fieldValue(b []byte, i int) int {
	j := i - 1
	for j >= 0 && i-j <= maxGap && class[b[j]]&cSpace != 0 {
		j--
	}
	if j < 3 || b[j] != '"' {
		return -1
	}
	if a, z := b[j-2], b[j-1]; !sensitiveEnd(lower(a), lower(z)) && !isSep(a) && !isSep(z) && a != ' ' && z != ' ' {
		return -1 // the quick test of sensitiveKey, before looking for the name's start
	}
	from := max(0, j-maxKey-1)
	if k := bytes.LastIndexByte(b[from:j], '"'); k >= 0 {
		from += k + 1
	}
	if !sensitiveKey(b[from:j]) {
		return -1
	}
	v := i + 1
	for v < len(b) && v-i <= maxGap && class[b[v]]&cSpace != 0 {
		v++
	}
	if v+1 >= len(b) || b[v] != '"' || b[v+1] == '"' {
		return -1
	}
	return v
}
