package injection

// rule identifies what was detected. Its String form is the rule id used
// in denials' causes and in findings.
type rule uint8

// The rules, in the order they are tried on a value.
const (
	ruleNone      rule = iota // nothing detected
	ruleJNDI                  // "jndi": a Log4j JNDI lookup, however nested
	ruleTraversal             // "traversal": ../, ..\, encoded or overlong, sensitive files
	ruleCmd                   // "cmdi": a shell separator followed by a command
	ruleSSTI                  // "ssti": a template expression ({{7*7}}, ${T(...)})
	ruleNoSQL                 // "nosql": a MongoDB-style query operator
	ruleXSS                   // "xss": libinjection's HTML5 check, script schemes, JS breakouts
	ruleSQLi                  // "sqli": libinjection's SQL check
)

var ruleNames = [...]string{ruleNone: "", ruleJNDI: "jndi", ruleTraversal: "traversal", ruleCmd: "cmdi",
	ruleSSTI: "ssti", ruleNoSQL: "nosql", ruleXSS: "xss", ruleSQLi: "sqli"}

// String returns the rule id.
func (r rule) String() string {
	if int(r) < len(ruleNames) {
		return ruleNames[r]
	}
	return "unknown"
}

// detect runs every rule on one decoded form s of a value and returns the
// first that matches, and the byte classes of s. jndiBuf is scratch space
// for the JNDI resolver.
func detect(s string, jndiBuf *[]byte) (rule, uint32) {
	cls := classify(s)
	return detectClassified(s, cls, jndiBuf), cls
}

func detectClassified(s string, cls uint32, jndiBuf *[]byte) rule {
	if cls&cDollar != 0 && cls&cBrace != 0 {
		found, buf := hasJNDI(s, *jndiBuf)
		*jndiBuf = buf
		if found {
			return ruleJNDI
		}
	}
	if cls&gateTraversal != 0 || cls&(cSlash|cBackslash) != 0 {
		if hasTraversal(s, cls) {
			return ruleTraversal
		}
	}
	if cls&gateCmd != 0 && hasCmdInjection(s, cls) {
		return ruleCmd
	}
	if cls&gateTemplate != 0 && hasTemplateInjection(s) {
		return ruleSSTI
	}
	if cls&cDollar != 0 && hasOperatorValue(s) {
		return ruleNoSQL
	}
	if isXSS(s, cls) {
		return ruleXSS
	}
	if mayBeSQL(s, cls) && isSQLi(s) {
		return ruleSQLi
	}
	return ruleNone
}
