package mask

import (
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.masked.json")

// TestGolden masks a realistic API response (testdata/orders.json.tmpl,
// credentials filled in at run time) and compares it with the reviewed
// output in testdata/orders.masked.json.
func TestGolden(t *testing.T) {
	tmpl, err := os.ReadFile("testdata/orders.json.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	fill := strings.NewReplacer(
		"${JWT}", fakeJWT, "${GITHUB}", fakeGitHub, "${AWSKEYID}", fakeAWSKeyID, "${AWSSECRET}", fakeAWSSecret,
		"${PEM}", strings.Trim(jsonString(testPEM(t)), `"`), "${STRIPE}", fakeStripe, "${SLACK}", fakeSlack,
		"${GOOGLE}", fakeGoogle, "${APIKEY}", fakeAPIKey)
	in := []byte(fill.Replace(string(tmpl)))
	if !json.Valid(in) {
		t.Fatal("the template does not make JSON")
	}
	got := allClasses(t).Mask(in, JSON)
	if !json.Valid(got) {
		t.Fatalf("masked output is not JSON:\n%s", got)
	}
	const golden = "testdata/orders.masked.json"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("differs from %s (go test -run TestGolden -update to rewrite, then review):\n%s", golden, got)
	}
	for name, r := range readers(in, 4) {
		if s := streamed(t, allClasses(t), r, JSON); string(s) != string(want) {
			t.Fatalf("streamed (%s) differs", name)
		}
	}
}
