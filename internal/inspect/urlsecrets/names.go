package urlsecrets

import "strings"

// credentialNames are the normalised names (see normalizeName) of
// parameters that carry credentials.
var credentialNames = map[string]bool{
	"accesstoken": true, "token": true, "idtoken": true, "refreshtoken": true, "authtoken": true,
	"apitoken": true, "bearertoken": true, "oauthtoken": true, "sessiontoken": true,
	"securitytoken": true, "xamzsecuritytoken": true, "jwt": true,
	"apikey": true, "xapikey": true, "key": true, "privatekey": true, "secretkey": true,
	"accesskey": true, "password": true, "passwd": true, "pwd": true, "passphrase": true,
	"secret": true, "clientsecret": true, "apisecret": true, "appsecret": true,
	"session": true, "sessionid": true, "jsessionid": true, "phpsessid": true, "aspnetsessionid": true,
	"auth": true, "authorization": true, "credentials": true,
}

// maxNameLen bounds the names this package normalises; longer names are
// never credential names.
const maxNameLen = 64

// normalizeName lowercases name and drops '-', '_', '.' and spaces into
// buf, so that api_key, api-key, apiKey and API.KEY are one name.
func normalizeName(buf *[maxNameLen]byte, name string) []byte {
	n := 0
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '-' || c == '_' || c == '.' || c == ' ':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if n == len(buf) {
			return nil
		}
		buf[n] = c
		n++
	}
	return buf[:n]
}

// IsCredentialName reports whether a query parameter name (as decoded)
// names a credential: access_token, token, id_token, refresh_token,
// api_key, apikey, api-key, key, password, passwd, pwd, secret,
// client_secret, session, sessionid, jwt, auth, authorization and their
// kin (auth_token, x-api-key, PHPSESSID, X-Amz-Security-Token, ...), in
// any case and with any '-', '_' or '.' separators. In a bracketed name
// (user[password], auth[token]) each part is judged. Signature
// parameters (signature, sig, X-Amz-Signature) are not credential names:
// a signature authenticates one URL and cannot be reused for another.
func IsCredentialName(name string) bool {
	return isCredentialName(name, credentialNames)
}

func isCredentialName(name string, names map[string]bool) bool {
	var buf [maxNameLen]byte
	if n := normalizeName(&buf, name); n != nil && names[string(n)] {
		return true
	}
	if strings.IndexByte(name, '[') < 0 {
		return false
	}
	for rest := name; rest != ""; {
		i := strings.IndexAny(rest, "[]")
		part := rest
		if i >= 0 {
			part, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		if n := normalizeName(&buf, part); len(n) > 0 && names[string(n)] {
			return true
		}
	}
	return false
}
