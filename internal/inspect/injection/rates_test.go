package injection

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// TestRates feeds every attack and every benign value of testdata through
// realistic locations and fails below 95 % detection or above 1 % false
// positives.
func TestRates(t *testing.T) {
	s := newStage(t, ModeBlock)
	attacks := readCorpus(t, "attacks.txt", true)
	benign := readCorpus(t, "benign.txt", false)
	if len(attacks) < 300 || len(benign) < 300 {
		t.Fatalf("corpora too small: %d attacks, %d benign", len(attacks), len(benign))
	}

	type tally struct{ n, hit int }
	perClass := map[string]*tally{}
	var total tally
	var misses []string
	for _, a := range attacks {
		places := valuePlacements
		if strings.HasSuffix(a.class, ":key") {
			places = keyPlacements
		}
		for _, p := range places {
			cause := blocked(t, errOf(run(s, p.make(a.value))))
			c := perClass[a.class]
			if c == nil {
				c = &tally{}
				perClass[a.class] = c
			}
			c.n++
			total.n++
			if cause != "" {
				c.hit++
				total.hit++
			} else {
				misses = append(misses, fmt.Sprintf("attacks.txt:%d %s in %s: %q", a.line, a.class, p.name, a.value))
			}
		}
	}
	var fps []string
	var checked int
	for _, b := range benign {
		for _, p := range valuePlacements {
			checked++
			if cause := blocked(t, errOf(run(s, p.make(b.value)))); cause != "" {
				fps = append(fps, fmt.Sprintf("benign.txt:%d in %s: %q (%s)", b.line, p.name, b.value, cause))
			}
		}
	}

	classes := make([]string, 0, len(perClass))
	for c := range perClass {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	for _, c := range classes {
		t.Logf("%-10s detected %3d/%3d (%.1f%%)", c, perClass[c].hit, perClass[c].n, 100*float64(perClass[c].hit)/float64(perClass[c].n))
	}
	detection := 100 * float64(total.hit) / float64(total.n)
	fpRate := 100 * float64(len(fps)) / float64(checked)
	t.Logf("detection %.2f%% (%d/%d attack placements, %d payloads); false positives %.2f%% (%d/%d benign placements, %d values)",
		detection, total.hit, total.n, len(attacks), fpRate, len(fps), checked, len(benign))
	for _, m := range misses {
		t.Logf("missed: %s", m)
	}
	for _, f := range fps {
		t.Logf("false positive: %s", f)
	}
	if detection < 95 {
		t.Errorf("detection %.2f%% < 95%%", detection)
	}
	if fpRate > 1 {
		t.Errorf("false positives %.2f%% > 1%%", fpRate)
	}
}

func errOf(_ any, err error) error { return err }
