package policy

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/apiguard/apiguard/internal/scan"
)

// deprecationCheck reads the probe of every deprecated route (no new
// request): before its sunset it must carry Deprecation: @<since>,
// Sunset and a Link rel="deprecation"; after it, the answer must be 410.
type deprecationCheck struct{ st *state }

var deprecationMeta = meta("deprecation", scan.Low, "API9:2023", "Deprecated route does not announce or enforce its retirement",
	"routes[].deprecation { since, sunset, link } makes apiguard send Deprecation, Sunset and Link headers, and 410 sunset after the sunset date.")

func (deprecationCheck) Info() scan.Meta { return deprecationMeta }

func (deprecationCheck) Estimate(*scan.Env) int { return 0 }

func (c deprecationCheck) Run(ctx context.Context, env *scan.Env) []scan.Finding {
	var out []scan.Finding
	for i := range c.st.cfg.Routes {
		r := &c.st.cfg.Routes[i]
		d := r.Deprecation
		if d == nil {
			continue
		}
		x, err := c.st.probe(ctx, env, r)
		if err != nil || x == nil {
			continue
		}
		if !time.Now().Before(d.Sunset.Time) {
			if x.Status != http.StatusGone {
				f := finding(deprecationMeta, r, x.Method, fmt.Sprintf("past its sunset (%s): want 410, got %d\n%s", d.Sunset, x.Status, x.Evidence("")))
				f.Severity = scan.Medium
				out = append(out, f)
			}
			continue
		}
		var miss []string
		if want := fmt.Sprintf("@%d", d.Since.Unix()); x.Header.Get("Deprecation") != want {
			miss = append(miss, "Deprecation: "+want)
		}
		if x.Header.Get("Sunset") == "" {
			miss = append(miss, "Sunset")
		}
		if d.Link != "" && !strings.Contains(x.Header.Get("Link"), `rel="deprecation"`) {
			miss = append(miss, `Link: <`+d.Link+`>; rel="deprecation"`)
		}
		if len(miss) > 0 {
			out = append(out, finding(deprecationMeta, r, x.Method, "missing "+strings.Join(miss, ", ")+"\n"+x.Evidence("", "Deprecation", "Sunset", "Link")))
		}
	}
	return out
}
