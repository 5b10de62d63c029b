package injection

import (
	"strings"

	libinjection "github.com/corazawaf/libinjection-go"
)

// XSS is judged by libinjection's HTML5 tokenizer (in five contexts),
// gated so that it runs only when a tag or a risky attribute could be
// present, plus rules of our own for what it does not cover: URL schemes
// that run script, script tags hidden in other tags, and JavaScript
// string breakouts.

// isXSS runs libinjection's HTML check when s has what it needs (a '<'
// for a tag, a '=' for an attribute), and our own rules otherwise.
func isXSS(s string, cls uint32) bool {
	if cls&cLess != 0 && scriptTag(s) {
		return true
	}
	if (cls&cLess != 0 || cls&cEquals != 0 && riskyAttribute(s)) && libinjection.IsXSS(s) && !benignMarkup(s) {
		return true
	}
	if cls&cColon != 0 && scriptScheme(s) {
		return true
	}
	return cls&cQuote != 0 && cls&cParen != 0 && jsBreakout(s)
}

// scriptSchemes run script when a value is used as a URL.
var scriptSchemes = [...]string{"javascript:", "vbscript:", "livescript:", "data:text/html", "data:image/svg+xml", "data:application/xhtml"}

// scriptScheme reports a value that starts (after spaces and control
// characters, which URL parsers strip) with a scheme that runs script;
// tabs and newlines inside the scheme, which browsers ignore, are skipped.
func scriptScheme(s string) bool {
	i := 0
	for i < len(s) && s[i] <= ' ' {
		i++
	}
	for _, scheme := range scriptSchemes {
		j, k := i, 0
		for j < len(s) && k < len(scheme) {
			c := s[j]
			if c == '\t' || c == '\n' || c == '\r' {
				j++
				continue
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != scheme[k] {
				break
			}
			j++
			k++
		}
		if k == len(scheme) {
			return true
		}
	}
	return false
}

// jsSinks are calls that proof-of-concept XSS payloads make.
var jsSinks = [...]string{"alert", "prompt", "confirm", "eval", "fetch", "document.", "window.", "location", "String.fromCharCode", "atob", "setTimeout", "Function"}

// jsBreakout reports a JavaScript string breakout: a quote, an operator
// and a script sink, as in '-alert(1)-' or ";alert(document.cookie)//.
func jsBreakout(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '\'' && s[i] != '"' && s[i] != '`' {
			continue
		}
		j := i + 1
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if j >= len(s) || strings.IndexByte("-+*;,|&^%/", s[j]) < 0 {
			continue
		}
		j++
		for j < len(s) && s[j] == ' ' {
			j++
		}
		for _, sink := range jsSinks {
			if strings.HasPrefix(s[j:], sink) {
				return true
			}
		}
	}
	return false
}

// scriptTag reports "<script" opening a tag, wherever it is: also inside
// another tag, as in "<scr<script>ipt>", which a sanitizer that deletes
// script tags turns into one.
func scriptTag(s string) bool {
	for i := strings.IndexByte(s, '<'); i >= 0; {
		if hasPrefixFold(s[i+1:], "script") {
			if j := i + 7; j == len(s) || s[j] == '>' || s[j] == '/' || s[j] <= ' ' {
				return true
			}
		}
		k := strings.IndexByte(s[i+1:], '<')
		if k < 0 {
			break
		}
		i += 1 + k
	}
	return false
}

// cssDanger are what makes a style attribute run script or load
// resources (and escapes that could hide them).
var cssDanger = [...]string{"url(", "expression", "javascript", "vbscript", "@import", "behavior", "binding", "\\", "&#", "/*"}

// benignMarkup reports whether libinjection's verdict on s is due only to
// markup that rich-text fields carry: style attributes whose CSS has
// nothing in cssDanger, and an XML declaration (<?xml ...?>). It judges a
// copy with those neutralised (an allocation, on this rare path only).
func benignMarkup(s string) bool {
	lower := strings.ToLower(s)
	hasStyle := strings.Contains(lower, "style")
	hasDecl := strings.Contains(lower, "<?xml")
	if !hasStyle && !hasDecl {
		return false
	}
	for _, d := range cssDanger {
		if strings.Contains(lower, d) {
			return false
		}
	}
	b := []byte(s)
	if hasDecl {
		if i := strings.Index(lower, "<?xml"); i >= 0 {
			end := len(b)
			if k := strings.Index(lower[i:], "?>"); k >= 0 {
				end = i + k + 2
			}
			for j := i; j < end; j++ {
				b[j] = ' '
			}
		}
	}
	if hasStyle {
		for i := strings.Index(lower, "style"); i >= 0; {
			j := i + 5
			for j < len(b) && b[j] == ' ' {
				j++
			}
			if i > 0 && (lower[i-1] == ' ' || lower[i-1] == '"' || lower[i-1] == '\'' || lower[i-1] == '/') && j < len(b) && b[j] == '=' {
				copy(b[i:], "title")
			}
			k := strings.Index(lower[i+5:], "style")
			if k < 0 {
				break
			}
			i += 5 + k
		}
	}
	return !libinjection.IsXSS(string(b))
}

// riskyAttrs are the attribute names (besides on*) whose value
// libinjection judges: its black, URL, style and indirect attributes.
var riskyAttrs = map[string]bool{
	"action": true, "attributename": true, "by": true, "background": true, "dataformatas": true,
	"datasrc": true, "dynsrc": true, "filter": true, "formaction": true, "folder": true,
	"from": true, "handler": true, "href": true, "lowsrc": true, "poster": true, "src": true,
	"style": true, "to": true, "values": true, "xlink:href": true, "xmlns": true, "xlink": true,
}

// riskyAttribute reports an '=' after a name that libinjection's XSS
// check judges (an on* event handler or one of riskyAttrs). Without a '<',
// such an assignment is the only thing the check can find, so a value
// like "q=shoes&page=2" or "width=100%" is spared it.
func riskyAttribute(s string) bool {
	var w [16]byte
	for i := strings.IndexByte(s, '='); i >= 0; {
		j := i - 1
		for j >= 0 && (s[j] == ' ' || s[j] == 0) {
			j--
		}
		n := 0
		for ; j >= 0 && n < len(w); j-- {
			c := s[j]
			if c == 0 {
				continue
			}
			if !isAlnum(c) && c != ':' && c != '-' && c != '_' {
				break
			}
			w[len(w)-1-n] = c | 0x20
			n++
		}
		name := w[len(w)-n:]
		if n >= 2 && (j < 0 || !isAlnum(s[j])) && (name[0] == 'o' && name[1] == 'n' || riskyAttrs[string(name)]) {
			return true
		}
		k := strings.IndexByte(s[i+1:], '=')
		if k < 0 {
			break
		}
		i += 1 + k
	}
	return false
}
