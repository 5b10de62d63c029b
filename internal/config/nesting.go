package config

import (
	"fmt"
	"strings"
)

// checkNesting refuses input nested deeper than any configuration needs,
// before the parser (whose cost grows with the square of nesting) sees it.
// It over-approximates: brackets in plain scalars count too.
func checkNesting(data []byte) string {
	depth := 0
	line := 1
	atLineStart := true
	col := 0
	var prev byte = '\n'
	for i := 0; i < len(data); i++ {
		c := data[i]
		if atLineStart {
			switch c {
			case ' ':
				col++
				if col > maxIndent {
					return fmt.Sprintf("line %d: nested more than %d columns deep", line, maxIndent)
				}
				continue
			case '-', '?', ':':
				if i+1 < len(data) && (data[i+1] == ' ' || data[i+1] == '\t') {
					col += 2
					if col > maxIndent {
						return fmt.Sprintf("line %d: nested more than %d columns deep", line, maxIndent)
					}
					i++
					continue
				}
			}
			atLineStart = false
		}
		switch c {
		case '\n':
			line++
			atLineStart, col = true, 0
		case '#':
			if prev == ' ' || prev == '\t' || prev == '\n' {
				for i+1 < len(data) && data[i+1] != '\n' {
					i++
				}
			}
		case '"', '\'':
			if strings.IndexByte(" \t\n[{,:-", prev) >= 0 {
				i = skipQuoted(data, i, &line)
			}
		case '[', '{':
			depth++
			if depth > maxFlowDepth {
				return fmt.Sprintf("line %d: [ ] or { } nested more than %d levels deep", line, maxFlowDepth)
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		}
		prev = c
	}
	return ""
}

// skipQuoted returns the index of the quote that closes the one at data[i].
func skipQuoted(data []byte, i int, line *int) int {
	q := data[i]
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\n':
			*line++
		case '\\':
			if q == '"' {
				j++
			}
		case q:
			if q == '\'' && j+1 < len(data) && data[j+1] == '\'' {
				j++
				continue
			}
			return j
		}
	}
	return len(data)
}
