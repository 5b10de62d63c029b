package urlsecrets

import (
	"encoding/base64"
	"strings"
)

// Test secrets are assembled at run time so that no literal in the
// source looks like a live credential to secret scanners.
var (
	b64     = base64.RawURLEncoding.EncodeToString
	testJWT = b64([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." +
		b64([]byte(`{"sub":"alice","exp":1700000000}`)) + "." + strings.Repeat("sig_-", 8)
	unsignedJWT = b64([]byte(`{"alg":"none"}`)) + "." + b64([]byte(`{"sub":"a"}`)) + "."
	testAPIKey  = "ag" + "k_" + "0123456789ABCDEFGHIJabcdefghij01" + "a1B2c3"
	testAWS     = "AK" + "IA" + "IOSFODNN7EXAMPLE"
	testAWSTemp = "AS" + "IA" + "ABCDEFGHIJKLMNOP"
	testGitHub  = "gh" + "p_" + strings.Repeat("aB3", 12)
	testGHPAT   = "github" + "_pat_" + strings.Repeat("x1_", 10)
	testGitLab  = "gl" + "pat-" + strings.Repeat("a-1", 7)
	testSlack   = "xo" + "xb-" + "1234567890-abcdefghij"
	testHook    = "https://hooks." + "slack.com/services/T000/B000/XXXX"
	testStripe  = "sk" + "_live_" + strings.Repeat("4eC39H", 4)
	testRK      = "rk" + "_test_" + strings.Repeat("4eC39H", 4)
	testGoogle  = "AI" + "za" + strings.Repeat("SyA-1_x", 5)
	testNPM     = "np" + "m_" + strings.Repeat("abc123", 6)
	testSG      = "S" + "G." + strings.Repeat("a", 22) + "." + strings.Repeat("b", 43)
	testOpenAI  = "sk" + "-proj-" + strings.Repeat("Ab1_", 8)
	testOldAI   = "s" + "k-" + strings.Repeat("Ab12", 12)
	testClaude  = "sk" + "-ant-" + strings.Repeat("api03-x", 4)
	testPEM     = "-----" + "BEGIN RSA PRIVATE KEY-----\nMIIE..."
	testDBURL   = "postgres://app:" + "hunter2@db.internal:5432/app"
)
