package injection

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestBenignHeaders: real-world cookies and user agents are not attacks.
func TestBenignHeaders(t *testing.T) {
	s := newStage(t, ModeBlock)
	for _, c := range []string{
		`_ga=GA1.1.123456789.1700000000; _gid=GA1.2.987654321.1700000000`,
		`OptanonConsent=isGpcEnabled=0&datestamp=Tue+Nov+14+2023+10%3A00%3A00+GMT%2B0100+(Central+European+Standard+Time)&version=6.33.0&isIABGlobal=false&hosts=&landingPath=NotLandingPage&groups=C0001%3A1%2CC0002%3A0%2CC0003%3A0&AwaitingReconsent=false`,
		`__cf_bm=Zxv3.Lq8K_4QzP1yZ7vPA4qz4q7bm0r1rFvQ5bM1sZk-1700000000-0-AbCdEf/GhIjKl+MnOpQr==; cf_clearance=abc`,
		`session=eyJ1c2VyX2lkIjoxMjN9.ZVN1aA.kJx3s9fLq0c1Qe-V8n2sKqj0y3Q; csrftoken=Zx8kLm9Qp2`,
		`prefs={"theme":"dark","lang":"en-GB"}; cart=%5B%7B%22id%22%3A1%2C%22qty%22%3A2%7D%5D`,
		`AWSALB=k1Xk0g8zJ7+q/v9w==; AWSALBCORS=k1Xk0g8zJ7+q/v9w==`,
		`ajs_user_id=%22user_123%22; ajs_anonymous_id=%22b5f3%22`,
		`_fbp=fb.1.1700000000000.1234567890; _hjSessionUser_123=eyJpZCI6IjEyMyIsImNyZWF0ZWQiOjE3MDB9`,
		`intercom-session-abc=RnBuaFl2T3ZkNFhyZz09LS1BbUt3--2f3c4d5e6f; locale=en_US`,
	} {
		r := httptest.NewRequest(http.MethodGet, "/v1/x", nil)
		r.Header.Set("Cookie", c)
		if _, err := run(s, r); err != nil {
			t.Errorf("%s: %v", c[:30], err)
		}
	}
	for _, ua := range []string{
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
		"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
		"Wget/1.21.4 (linux-gnu)",
		"Apache-HttpClient/4.5.14 (Java/17.0.9)",
		"Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/UD1A.231105.004)",
		"MyApp/3.2.1 (com.example.app; build:456; iOS 17.1.1) Alamofire/5.8.0",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
		"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
		"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
	} {
		r := httptest.NewRequest(http.MethodGet, "/v1/x", nil)
		r.Header.Set("User-Agent", ua)
		if _, err := run(s, r); err != nil {
			t.Errorf("%s: %v", ua, err)
		}
	}
}
