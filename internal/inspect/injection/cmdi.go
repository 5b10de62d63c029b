package injection

import "strings"

// Command injection: a shell command separator or substitution followed
// by a command. The separators are ; | || & && newline, `...`, $(...),
// <(...), >(...) and brace expansion ({cat,/etc/passwd}); ${IFS} and tabs
// count as spaces, quotes and backslashes inside the command word are
// dropped (c'a't, c\at), and a /bin/, /usr/bin/ ... prefix is skipped.
// Commands that are also English words ("cat", "id", "sleep") count only
// with an argument of the shape they take in an attack, so that prose
// such as "dogs; cat lovers" or "drop me a line & ping me" is not
// reported. The Shellshock function prefix "() {" is reported on its own.

// argShape says what has to follow a command for it to count.
type argShape uint8

const (
	argAny    argShape = iota // anything (or nothing)
	argPath                   // a path, variable or option: / ~ . $ - \ or a drive
	argEnd                    // nothing, or another separator (id; whoami)
	argNumber                 // a number (sleep 5)
	argHost                   // an option, address or number (ping -c 1 ...)
	argShell                  // a variable, quote or redirection (echo $PATH)
	argNet                    // a Windows net subcommand (net user)
)

// netSubcommands make "net" count.
var netSubcommands = [...]string{"user", "localgroup", "group", "view", "share", "use", "accounts", "session", "start", "stop", "config"}

// commands maps a command (lowercase) to the argument that makes it
// count. Unlisted words never count.
var commands = map[string]argShape{
	// interpreters, network tools, reconnaissance: never prose
	"bash": argAny, "sh": argAny, "zsh": argAny, "ksh": argAny, "csh": argAny, "dash": argPath,
	"busybox": argAny, "python": argAny, "python3": argAny, "python2": argAny, "perl": argAny,
	"ruby": argAny, "php": argAny, "node": argPath, "lua": argPath,
	"powershell": argAny, "pwsh": argAny, "powershell.exe": argAny, "cmd": argAny, "cmd.exe": argAny,
	"wget": argAny, "curl": argAny, "nc": argAny, "ncat": argAny, "netcat": argAny, "socat": argAny,
	"telnet": argAny, "tftp": argAny, "ftp": argPath, "nslookup": argAny, "dig": argPath, "host": argPath,
	"whoami": argAny, "uname": argAny, "ifconfig": argAny, "ipconfig": argAny, "netstat": argAny,
	"systeminfo": argAny, "tasklist": argAny, "hostname": argEnd, "printenv": argAny,
	"certutil": argAny, "bitsadmin": argAny, "mshta": argAny, "rundll32": argAny, "regsvr32": argAny,
	"wmic": argAny, "nmap": argAny, "mkfifo": argAny, "chmod": argAny, "chown": argAny,
	"useradd": argAny, "usermod": argAny, "passwd": argEnd, "sudo": argAny, "crontab": argAny,
	"base64": argAny, "xxd": argAny, "xterm": argAny, "ls": argAny, "pwd": argEnd,
	"whoami.exe": argAny, "net.exe": argAny, "timeout": argNumber,
	// English words: only with an attack-shaped argument
	"cat": argPath, "tac": argPath, "head": argPath, "tail": argPath, "more": argPath, "less": argPath,
	"type": argPath, "dir": argPath, "find": argPath, "touch": argPath, "rm": argPath, "cp": argPath,
	"mv": argPath, "grep": argPath, "awk": argShell, "sed": argShell, "env": argEnd,
	"id": argEnd, "ps": argEnd, "sleep": argNumber,
	"ping": argHost, "echo": argShell, "printf": argShell, "eval": argShell, "exec": argShell,
	"kill": argHost, "net": argNet, "reboot": argEnd, "shutdown": argHost, "nohup": argAny,
	"start": argPath, "call": argPath, "del": argPath, "copy": argPath, "tee": argPath,
	"xargs": argAny, "strings": argPath, "od": argPath, "nl": argPath, "rev": argPath,
}

// hasCmdInjection reports a command after a separator in s.
func hasCmdInjection(s string, cls uint32) bool {
	if cls&cParen != 0 && shellshock(s) {
		return true
	}
	if cls&cDollar != 0 && substringExpansion(s) {
		return true
	}
	for i := 0; i < len(s); i++ {
		k := strings.IndexAny(s[i:], cmdTriggers)
		if k < 0 {
			return false
		}
		i += k
		var strong bool // the separator is unambiguous shell syntax
		switch s[i] {
		case ';', '\n', '\r':
		case '|', '&':
			if i+1 < len(s) && s[i+1] == s[i] { // || and &&
				strong = true
				i++
			}
		case '`':
			strong = true
		case '$', '<', '>':
			if i+1 >= len(s) || s[i+1] != '(' {
				continue
			}
			i++
			strong = true
		case '{':
			if commandAt(s, i+1, true, true) { // brace expansion: {cat,/etc/passwd}
				return true
			}
			continue
		}
		if commandAt(s, i+1, strong, false) {
			return true
		}
	}
	return false
}

// cmdTriggers are the bytes that start a separator or substitution.
const cmdTriggers = ";\n\r|&`$<>{"

// commandAt reports whether a command starts at s[i] (after spaces).
func commandAt(s string, i int, strong, brace bool) bool {
	i = skipShellSpace(s, i)
	if globbedPath(s, i) {
		return true
	}
	for _, p := range [...]string{"/usr/local/bin/", "/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/"} {
		if strings.HasPrefix(s[i:], p) {
			i += len(p)
			strong = true
			break
		}
	}
	var word [16]byte
	n := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c == '\'' || c == '"' || c == '\\' {
			if n > 0 || i+1 < len(s) && isCmdChar(s[i+1]) {
				strong = strong || n > 0 // quotes inside a word are shell obfuscation
				continue
			}
			break
		}
		if !isCmdChar(c) {
			break
		}
		if n == len(word) {
			return false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		word[n] = c
		n++
	}
	if n == 0 {
		return false
	}
	shape, ok := commands[string(word[:n])]
	if !ok {
		return false
	}
	if brace {
		return i+1 < len(s) && s[i] == ',' && strings.IndexByte("/~.$-", s[i+1]) >= 0
	}
	if i < len(s) && isCmdChar(s[i]) {
		return false
	}
	if strong && shape != argEnd && shape != argNumber {
		return true
	}
	return argMatches(s, i, shape, strong)
}

func isCmdChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_'
}

// skipShellSpace skips spaces, tabs and ${IFS} / $IFS.
func skipShellSpace(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == ' ' || s[i] == '\t':
			i++
		case strings.HasPrefix(s[i:], "${IFS}"):
			i += 6
		case strings.HasPrefix(s[i:], "$IFS"):
			i += 4
		default:
			return i
		}
	}
	return i
}

// argMatches reports whether what follows a command at s[i] has the
// shape that makes it count.
func argMatches(s string, i int, shape argShape, strong bool) bool {
	if shape == argAny {
		return true
	}
	j := skipShellSpace(s, i)
	atEnd := j == len(s) || strings.IndexByte(";|&`)\n\r#>", s[j]) >= 0
	if shape == argEnd {
		return atEnd
	}
	if j == i && !atEnd { // no space between command and argument
		return false
	}
	if atEnd {
		return strong && shape != argNumber
	}
	c := s[j]
	switch shape {
	case argPath:
		return strings.IndexByte("/~.$-\\*?", c) >= 0 ||
			j+2 < len(s) && isAlnum(c) && s[j+1] == ':' && (s[j+2] == '\\' || s[j+2] == '/')
	case argNumber:
		return '0' <= c && c <= '9' || c == '$'
	case argHost:
		return c == '-' || '0' <= c && c <= '9' || c == '$' || strong
	case argShell:
		return strings.IndexByte("$'\"`>", c) >= 0 || strong
	case argNet:
		for _, sub := range netSubcommands {
			if hasPrefixFold(s[j:], sub) && (j+len(sub) == len(s) || !isCmdChar(s[j+len(sub)])) {
				return true
			}
		}
	}
	return false
}

// globbedPath reports a command spelled with shell wildcards, such as
// /???/c?t or /bin/c*t: a leading directory of at most four characters,
// one of which is ? or *.
func globbedPath(s string, i int) bool {
	if i >= len(s) || s[i] != '/' {
		return false
	}
	glob := false
	for j := i + 1; j < len(s) && j <= i+5; j++ {
		switch c := s[j]; {
		case c == '/':
			return glob && j > i+1
		case c == '?' || c == '*':
			glob = true
		case !isCmdChar(c):
			return false
		}
	}
	return false
}

// shellshock reports a Bash function definition at the start of a value
// (CVE-2014-6271): "() {" is what Bash looks for, so prose and code that
// merely contain "() {" are not reported.
func shellshock(s string) bool {
	s = strings.TrimLeft(s, " \t")
	return strings.HasPrefix(s, "() {") || strings.HasPrefix(s, "(){")
}

// substringExpansion reports Bash substring expansion, ${NAME:offset:len}
// (${PATH:0:1} is "/"), which spells separators and paths without
// writing them.
func substringExpansion(s string) bool {
	for i := strings.Index(s, "${"); i >= 0; {
		j := i + 2
		for j < len(s) && (isLetter(s[j]) || s[j] == '_') {
			j++
		}
		if j > i+2 && j < len(s) && s[j] == ':' {
			k := j + 1
			for k < len(s) && ('0' <= s[k] && s[k] <= '9' || s[k] == '-' || s[k] == ' ') {
				k++
			}
			if k > j+1 && k < len(s) && (s[k] == ':' || s[k] == '}') {
				return true
			}
		}
		n := strings.Index(s[i+2:], "${")
		if n < 0 {
			break
		}
		i += 2 + n
	}
	return false
}
