package scan

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"
)

// excerptLen bounds the response body quoted in evidence.
const excerptLen = 240

// Evidence quotes the exchange: the request line with the headers the
// check set (and its body, shortened), the status line, the response
// headers named (plus Content-Type), and a short body excerpt centred on
// the first occurrence of focus (or the start when focus is ""). Secrets
// are masked.
func (x *Exchange) Evidence(focus string, headers ...string) string {
	if x == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", x.Method, x.PathQuery())
	for _, l := range maskHeaders(x.ReqHeader) {
		b.WriteString(l + "\n")
	}
	if len(x.ReqBody) > 0 {
		b.WriteString(clip(string(x.ReqBody), 0, 160) + "\n")
	}
	fmt.Fprintf(&b, "→ %d %s\n", x.Status, http.StatusText(x.Status))
	names := append([]string{"Content-Type"}, headers...)
	for _, n := range slices.Compact(names) {
		for _, v := range x.Header.Values(n) {
			b.WriteString(http.CanonicalHeaderKey(n) + ": " + MaskHeader(n, v) + "\n")
		}
	}
	if body := string(x.Body); body != "" {
		at := 0
		if focus != "" {
			if i := strings.Index(body, focus); i >= 0 {
				at = max(0, i-excerptLen/3)
			}
		}
		b.WriteString(clip(body, at, excerptLen))
	}
	return Mask(strings.TrimRight(b.String(), "\n"))
}

// clip returns about n bytes of s from at, on rune boundaries, marking cuts.
func clip(s string, at, n int) string {
	for at > 0 && at < len(s) && !utf8.RuneStart(s[at]) {
		at++
	}
	end := min(len(s), at+n)
	for end < len(s) && end > at && !utf8.RuneStart(s[end]) {
		end--
	}
	out := s[at:end]
	if at > 0 {
		out = "…" + out
	}
	if end < len(s) {
		out += "…"
	}
	return strings.ToValidUTF8(out, "")
}

func sortedKeys(h http.Header) []string {
	ks := make([]string, 0, len(h))
	for k := range h {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
