package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/scan"
)

func sample() *scan.Result {
	r := &scan.Result{Target: "http://127.0.0.1:8080", Started: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC),
		Findings: []scan.Finding{
			{Check: "injection.xss", Severity: scan.High, OWASP: "API8:2023", Method: "GET", Path: "/hello/{name}",
				Title: "XSS", Evidence: `GET /hello?name="><script>alert(1)</script> & more`, Remediation: "waf: block"},
			{Check: "headers.banner", Severity: scan.Low, OWASP: "API8:2023", Method: "", Path: "/",
				Title: "banner", Evidence: "Server: nginx/1.2", Remediation: "response.strip_headers"},
		},
		Rules: []scan.Meta{{ID: "injection.xss", Severity: scan.High, OWASP: "API8:2023", Title: "XSS", Remediation: "waf: block"}},
		Stats: []scan.CheckStat{{Check: "injection.xss", Requests: 3, Duration: time.Millisecond}},
	}
	r.Finish()
	return r
}

func TestJSONContract(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "json", sample()); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"target", "started", "findings", "summary"} {
		if _, ok := doc[k]; !ok {
			t.Fatalf("missing %q in %s", k, b.String())
		}
	}
	if len(doc) != 4 {
		t.Fatalf("extra keys: %v", doc)
	}
	if _, err := time.Parse(time.RFC3339, doc["started"].(string)); err != nil {
		t.Fatal(err)
	}
	f := doc["findings"].([]any)[0].(map[string]any)
	for _, k := range []string{"check", "severity", "owasp", "method", "path", "title", "evidence", "remediation"} {
		if _, ok := f[k]; !ok {
			t.Fatalf("finding lacks %q", k)
		}
	}
	if len(f) != 8 || f["severity"] != "high" {
		t.Fatalf("finding %v", f)
	}
	s := doc["summary"].(map[string]any)
	if s["high"] != 1.0 || s["medium"] != 0.0 || s["low"] != 1.0 {
		t.Fatalf("summary %v", s)
	}
}

func TestSARIF(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "sarif", sample()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version string `json:"version"`
		Schema  string `json:"$schema"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Message   struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "2.1.0" || !strings.Contains(doc.Schema, "sarif") || len(doc.Runs) != 1 {
		t.Fatalf("header: %+v", doc)
	}
	run := doc.Runs[0]
	if run.Tool.Driver.Name == "" || len(run.Tool.Driver.Rules) != 2 || len(run.Results) != 2 {
		t.Fatalf("run: %+v", run)
	}
	for _, r := range run.Results {
		if r.RuleID == "" || r.Message.Text == "" || len(r.Locations) != 1 || r.Locations[0].PhysicalLocation.ArtifactLocation.URI == "" {
			t.Fatalf("result %+v", r)
		}
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Fatalf("ruleIndex %d does not point at %s", r.RuleIndex, r.RuleID)
		}
		if r.Level != "error" && r.Level != "note" {
			t.Fatalf("level %q", r.Level)
		}
	}
	if strings.Contains(run.Results[0].Locations[0].PhysicalLocation.ArtifactLocation.URI, "{") {
		t.Fatal("braces in a URI")
	}
}

// TestHTML parses the page as (lenient) XML: every element closed, every
// value escaped (the evidence holds a script tag), no external resource.
func TestHTML(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "html", sample()); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if strings.Contains(page, "<script>") || !strings.Contains(page, "&lt;script&gt;") {
		t.Fatal("evidence not escaped")
	}
	if strings.Contains(page, "src=") || strings.Contains(page, "<link") {
		t.Fatal("not self-contained")
	}
	d := xml.NewDecoder(strings.NewReader(strings.TrimPrefix(page, "<!DOCTYPE html>")))
	d.Strict, d.AutoClose, d.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	depth, elems := 0, map[string]int{}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("HTML does not parse: %v", err)
		}
		switch v := tok.(type) {
		case xml.StartElement:
			depth++
			elems[v.Name.Local]++
		case xml.EndElement:
			depth--
		}
	}
	if depth != 0 || elems["html"] != 1 || elems["title"] != 1 || elems["pre"] != 2 {
		t.Fatalf("structure: depth %d, %v", depth, elems)
	}
	for _, want := range []string{"Summary", "injection.xss", "waf: block", "/hello/{name}"} {
		if !strings.Contains(page, want) {
			t.Fatalf("page lacks %q", want)
		}
	}
}

func TestText(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "text", sample()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	hi, lo := strings.Index(out, "== HIGH"), strings.Index(out, "== LOW")
	if hi < 0 || lo < hi || !strings.Contains(out, "fix: waf: block") || !strings.Contains(out, "summary: 1 high, 0 medium, 1 low") {
		t.Fatal(out)
	}
	if err := Write(&b, "pdf", sample()); err == nil {
		t.Fatal("unknown format accepted")
	}
}
