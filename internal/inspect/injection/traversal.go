package injection

import "strings"

// hasTraversal reports a path traversal: a dot-dot segment next to a
// separator ("../", "..\", "/..", "..;/" for Tomcat), a value that is just
// "..", or a well-known sensitive file. Dots and separators are also
// recognised in the spellings that some servers normalise to them: the
// overlong UTF-8 forms (%c0%ae, %c0%af, %e0%80%ae, %c1%9c) and the
// fullwidth and division-slash code points (IIS best-fit mapping).
func hasTraversal(s string, cls uint32) bool {
	if s == ".." {
		return true
	}
	if cls&cHigh == 0 && !strings.Contains(s, "..") {
		return cls&(cSlash|cBackslash) != 0 && hasSensitiveFile(s)
	}
	for i := 0; i < len(s); {
		w := dotAt(s, i)
		if w == 0 {
			i++
			continue
		}
		w2 := dotAt(s, i+w)
		if w2 == 0 {
			i += w
			continue
		}
		end := i + w + w2
		for end < len(s) && s[end] == 0 { // "..%00/": C-string truncation
			end++
		}
		if end < len(s) && s[end] == ';' { // Tomcat: "..;/" is ".."
			end++
		}
		if end == len(s) && i > 0 && sepBefore(s, i) || sepAt(s, end) > 0 {
			return true
		}
		i += w
	}
	return hasSensitiveFile(s)
}

// dotAt returns the width of a dot at s[i], or 0.
func dotAt(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	switch s[i] {
	case '.':
		return 1
	case 0xc0: // overlong U+002E
		if i+1 < len(s) && s[i+1] == 0xae {
			return 2
		}
	case 0xe0:
		if strings.HasPrefix(s[i:], "\xe0\x80\xae") {
			return 3
		}
	case 0xef:
		if strings.HasPrefix(s[i:], "\uff0e") { // fullwidth full stop
			return 3
		}
	}
	return 0
}

// sepAt returns the width of a path separator at s[i], or 0.
func sepAt(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	switch s[i] {
	case '/', '\\':
		return 1
	case 0xc0:
		if i+1 < len(s) && s[i+1] == 0xaf {
			return 2
		}
	case 0xc1:
		if i+1 < len(s) && s[i+1] == 0x9c {
			return 2
		}
	case 0xe0:
		if strings.HasPrefix(s[i:], "\xe0\x80\xaf") {
			return 3
		}
	case 0xef:
		if strings.HasPrefix(s[i:], "\uff0f") || strings.HasPrefix(s[i:], "\uff3c") {
			return 3
		}
	case 0xe2:
		if strings.HasPrefix(s[i:], "\u2215") || strings.HasPrefix(s[i:], "\u2216") {
			return 3
		}
	}
	return 0
}

// sepBefore reports whether a separator ends just before s[i].
func sepBefore(s string, i int) bool {
	for w := 1; w <= 3 && w <= i; w++ {
		if sepAt(s, i-w) == w {
			return true
		}
	}
	return false
}

// sensitiveFiles are targets of local file inclusion that need no
// dot-dot (an absolute path). Matched case-insensitively, with '\' read
// as '/', at each separator of the value; "file:" before a separator
// (file:///...) is reported too.
var sensitiveFiles = [...]string{
	"/etc/passwd", "/etc/shadow", "/etc/group", "/proc/self/", "/proc/version",
	"/windows/win.ini", "/windows/system32/", "/boot.ini", "/web-inf/web.xml",
}

func hasSensitiveFile(s string) bool {
	for i := 0; i < len(s); i++ {
		k := strings.IndexAny(s[i:], "/\\")
		if k < 0 {
			return false
		}
		i += k
		if i >= 5 && equalFoldSlash(s[i-5:], "file:/") {
			return true
		}
		for _, f := range sensitiveFiles {
			if equalFoldSlash(s[i:], f) {
				return true
			}
		}
	}
	return false
}

// equalFoldSlash reports whether s starts with the ASCII-lowercase
// prefix, ignoring case and reading '\' in s as '/'.
func equalFoldSlash(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for j := 0; j < len(prefix); j++ {
		c := s[j]
		if c == '\\' {
			c = '/'
		} else if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[j] {
			return false
		}
	}
	return true
}
