package injection

import (
	"strings"
	"testing"
)

func TestMemoNeverAliasesTheJudgedBytes(t *testing.T) {
	var m memo
	buf := []byte("plain value")
	m.remember(string(buf)) // the string's bytes live in a buffer that is reused
	copy(buf, "' OR 1=1 --")
	if m.clean(string(buf)) {
		t.Fatal("a string never judged looks remembered after its buffer changed")
	}
	if !m.clean("plain value") {
		t.Fatal("a remembered string is not found")
	}
	m.reset()
	if m.clean("plain value") {
		t.Fatal("remembered across requests")
	}
	long := strings.Repeat("a", memoMaxLen+1)
	m.remember(long)
	if m.clean(long) {
		t.Fatal("a long string was remembered")
	}
}

// The memo remembers clean verdicts only: a repeated attack is a finding
// at each of its locations, and a clean string repeated beside an attack
// does not hide it.
func TestRepeatedValuesAreJudgedAtEveryLocation(t *testing.T) {
	s := newStage(t, ModeReport)
	body := []map[string]string{
		{"sku": "ABC-1", "q": "1' OR '1'='1"},
		{"sku": "ABC-1", "q": "1' OR '1'='1"},
		{"sku": "ABC-1", "q": "<script>alert(1)</script>"},
	}
	x, err := run(s, postJSON("/", body))
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Findings) != 3 {
		t.Fatalf("findings %q, want one per attack location", x.Findings)
	}
	for i, f := range x.Findings {
		if !strings.Contains(f, "["+string(rune('0'+i))+"]") {
			t.Errorf("finding %d %q does not name element %d", i, f, i)
		}
	}
}
