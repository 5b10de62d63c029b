package injection

import "strings"

// Server-side template injection: a template expression whose content is
// an expression rather than a plain variable. Openers: {{ }}, {% %},
// ${ }, #{ }, *{ }, %{ } (OGNL), <% %> (ERB, JSP), <# > (FreeMarker),
// #set( and #foreach( (Velocity), @( ) (Razor), and Smarty's {php} and
// {function(...)}. The content counts as an expression when it holds
// arithmetic on literals ({{7*7}}, ${7*'7'}), a dunder (__class__), a
// type reference (T(java.lang.Runtime), @java.lang.Runtime), or one of
// the identifiers template exploits go through (config, self,
// constructor, getRuntime, freemarker, ...): {{ user.name }} and
// ${total} are not reported, so template text in a JSON field is fine.

// exprWindow bounds how far past an opener the content is read.
const exprWindow = 512

// dangerIdents are identifiers that template exploits use and template
// variables do not.
var dangerIdents = map[string]bool{
	"config": true, "self": true, "_self": true, "lipsum": true, "cycler": true, "joiner": true,
	"namespace": true, "url_for": true, "get_flashed_messages": true, "constructor": true,
	"mainModule": true, "child_process": true, "Runtime": true, "getRuntime": true,
	"ProcessBuilder": true, "forName": true, "getClass": true, "ClassLoader": true,
	"classLoader": true, "subprocess": true, "globals": true, "builtins": true,
	"freemarker": true, "Execute": true, "ObjectConstructor": true, "JythonRuntime": true,
	"pageContext": true, "applicationScope": true, "sessionScope": true, "requestScope": true,
	"servletContext": true, "OgnlContext": true, "_memberAccess": true, "import": true,
	"registerUndefinedFilterCallback": true, "getFilter": true, "mro": true,
	"subclasses": true, "environ": true, "Kernel": true, "phpinfo": true, "Dir": true,
	"File": true, "$on": true, "$eval": true, "execSync": true, "spawnSync": true,
	"getClassLoader": true, "getDeclaredMethod": true, "getMethod": true, "newInstance": true,
	"ScriptEngineManager": true, "getEngineByName": true, "getenv": true,
}

// callIdents count when called, or when quoted as a callback name
// ({{['id']|filter('system')}}).
var callIdents = map[string]bool{
	"system": true, "exec": true, "eval": true, "popen": true, "spawn": true, "require": true,
	"passthru": true, "shell_exec": true, "proc_open": true, "readfile": true, "dump": true,
	"attr": true, "getattr": true, "open": true, "file_get_contents": true, "assert": true,
	"include": true, "source": true, "read": true,
}

// hasTemplateInjection reports a template expression in s.
// The content read past openers is bounded by 4*len(s)+exprWindow
// bytes in all, so a value made of unclosed openers stays linear.
func hasTemplateInjection(s string) bool {
	if polyglot(s) {
		return true
	}
	budget := 4*len(s) + exprWindow
	for i := 0; i+1 < len(s) && budget > 0; i++ {
		var closer string
		switch s[i] {
		case '{':
			switch s[i+1] {
			case '{':
				closer = "}}"
			case '%':
				closer = "%}"
			default:
				if smartyAt(s, i+1) {
					return true
				}
				continue
			}
		case '$', '#', '*', '%':
			if s[i+1] != '{' {
				if s[i] == '#' && (hasPrefixFold(s[i+1:], "set(") || hasPrefixFold(s[i+1:], "foreach(")) {
					closer = ")" // Velocity: judge the directive's arguments
					break
				}
				continue
			}
			closer = "}"
		case '<':
			switch s[i+1] {
			case '%':
				closer = "%>"
			case '#':
				closer = ">"
			default:
				continue
			}
		case '@':
			if s[i+1] != '(' {
				if strings.HasPrefix(s[i+1:], "System.") {
					return true // Razor: @System.Diagnostics.Process.Start(...)
				}
				continue
			}
			closer = ")"
		default:
			continue
		}
		body := s[i+2:]
		if len(body) > exprWindow {
			body = body[:exprWindow]
		}
		budget -= len(body)
		if k := strings.Index(body, closer); k >= 0 && closer != ")" {
			body = body[:k]
		}
		if isExpression(body) {
			return true
		}
	}
	return false
}

// smartyAt reports Smarty's {php} or {name(...)} with a dangerous name
// at s[i] (just after '{').
func smartyAt(s string, i int) bool {
	if hasPrefixFold(s[i:], "php}") {
		return true
	}
	j := i
	for j < len(s) && isIdentChar(s[j]) {
		j++
	}
	return j > i && j < len(s) && s[j] == '(' && callIdents[s[i:j]]
}

// isExpression reports whether template content is an expression of the
// kind exploits use.
func isExpression(c string) bool {
	if strings.Contains(c, "__") || strings.Contains(c, "?new(") || strings.Contains(c, "@java") ||
		strings.Contains(c, "@ognl") || strings.Contains(c, "#_memberAccess") || strings.Contains(c, "#context") {
		return true
	}
	for i := 0; i < len(c); i++ {
		b := c[i]
		switch {
		case '0' <= b && b <= '9':
			if literalArithmetic(c, i) {
				return true
			}
			for i+1 < len(c) && isIdentChar(c[i+1]) {
				i++
			}
		case b == 'T' && i+1 < len(c) && c[i+1] == '(' && (i == 0 || !isIdentChar(c[i-1])):
			return true // Spring EL type reference: T(java.lang.Runtime)
		case isIdentStart(b):
			j := i + 1
			for j < len(c) && isIdentChar(c[j]) {
				j++
			}
			id := c[i:j]
			if dangerIdents[id] {
				return true
			}
			if callIdents[id] && (j < len(c) && c[j] == '(' ||
				i > 0 && j < len(c) && (c[i-1] == '\'' || c[i-1] == '"') && c[j] == c[i-1]) {
				return true
			}
			i = j - 1
		}
	}
	return false
}

// literalArithmetic reports digit [space] operator [space] digit-or-quote
// starting at c[i].
func literalArithmetic(c string, i int) bool {
	j := i
	for j < len(c) && '0' <= c[j] && c[j] <= '9' {
		j++
	}
	for j < len(c) && c[j] == ' ' {
		j++
	}
	if j >= len(c) || strings.IndexByte("*+-/%", c[j]) < 0 {
		return false
	}
	j++
	for j < len(c) && c[j] == ' ' {
		j++
	}
	return j < len(c) && ('0' <= c[j] && c[j] <= '9' || c[j] == '\'' || c[j] == '"')
}

func isIdentStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == '$'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || '0' <= c && c <= '9' }

// hasPrefixFold reports whether s starts with the ASCII-lowercase prefix,
// ignoring case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}

// probeOpeners are the template syntaxes a detection probe mixes.
var probeOpeners = [...]string{"${", "{{", "<%", "#{", "[%", "{%", "${{"}

// polyglot reports an engine-detection probe such as ${{<%[%'"}}%\.: three
// or more different template openers within a few bytes of each other.
func polyglot(s string) bool {
	kinds := 0
	for _, o := range probeOpeners {
		if strings.Contains(s, o) {
			kinds++
		}
	}
	if kinds < 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '$' && s[i] != '{' && s[i] != '<' && s[i] != '#' && s[i] != '[' {
			continue
		}
		w := s[i:min(len(s), i+12)]
		kinds := 0
		for _, o := range probeOpeners {
			if strings.Contains(w, o) {
				kinds++
			}
		}
		if kinds >= 3 {
			return true
		}
	}
	return false
}
