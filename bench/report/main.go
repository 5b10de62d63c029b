// Command report turns the measurements bench/run collected into the printed
// table, the ratios of apiguard against each peer, the pass/fail of the
// targets, and a JSON file under bench/results/.
//
// bench/run writes one file of key=value lines per row (the value is the
// rest of the line) into a directory:
//
//	DIR/machine.kv       the machine and the run's settings
//	DIR/rows/NN-ID.kv    compare mode: one row (a proxy or the upstream)
//	DIR/idle/NN-ID.kv    idle keep-alive connections held against a server
//	DIR/growth/NN-ID.kv  growth mode: one measurement of a cost dimension
//
//	go run ./bench/report -dir DIR -mode compare -json bench/results/2026-01-01T000000Z.json
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// kv is one file of key=value lines, in order.
type kv struct {
	keys []string
	m    map[string]string
}

func readKV(path string) (*kv, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := &kv{m: map[string]string{}}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok || k == "" {
			continue
		}
		if _, seen := r.m[k]; !seen {
			r.keys = append(r.keys, k)
		}
		r.m[k] = v
	}
	return r, sc.Err()
}

func readDir(dir string) ([]*kv, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.kv"))
	if err != nil {
		return nil, err
	}
	slices.Sort(files)
	var out []*kv
	for _, f := range files {
		k, err := readKV(f)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}

func (k *kv) s(key string) string { return k.m[key] }

// f returns a number, or NaN when absent or not a number.
func (k *kv) f(key string) float64 {
	v, err := strconv.ParseFloat(strings.TrimSpace(k.m[key]), 64)
	if err != nil {
		return math.NaN()
	}
	return v
}

// ordered is a JSON object that keeps its keys in order.
type ordered struct {
	keys []string
	vals map[string]any
}

func newOrdered() *ordered { return &ordered{vals: map[string]any{}} }

func (o *ordered) set(k string, v any) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

func (o *ordered) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// num is a JSON number that is null when NaN, rounded to a few digits.
func num(v float64, digits int) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

// jsonKV converts a kv file: numbers stay numbers, lists of numbers become arrays.
func jsonKV(k *kv, skip ...string) *ordered {
	o := newOrdered()
	for _, key := range k.keys {
		if slices.Contains(skip, key) {
			continue
		}
		v := k.m[key]
		if strings.HasPrefix(key, "rounds_") {
			var arr []any
			for _, x := range strings.Fields(v) {
				if f, err := strconv.ParseFloat(x, 64); err == nil {
					arr = append(arr, f)
				} else {
					arr = append(arr, x)
				}
			}
			o.set(key, arr)
			continue
		}
		if f, err := strconv.ParseFloat(v, 64); err == nil && v != "" {
			o.set(key, num(f, 6))
			continue
		}
		o.set(key, v)
	}
	return o
}

func fmtNum(v float64, format string) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return fmt.Sprintf(format, v)
}

func ratio(a, b float64) float64 {
	if b == 0 || math.IsNaN(a) || math.IsNaN(b) {
		return math.NaN()
	}
	return a / b
}

func main() {
	dir := flag.String("dir", "", "directory bench/run wrote the measurements to")
	mode := flag.String("mode", "compare", "compare or growth")
	jsonOut := flag.String("json", "", "write the results as JSON to this file")
	flag.Parse()
	if *dir == "" || (*mode != "compare" && *mode != "growth") {
		fmt.Fprintln(os.Stderr, "usage: report -dir DIR [-mode compare|growth] [-json FILE]")
		os.Exit(2)
	}
	machine, err := readKV(filepath.Join(*dir, "machine.kv"))
	if err != nil {
		fatalf("%v", err)
	}
	doc := newOrdered()
	doc.set("kind", "apiguard-bench-"+*mode)
	doc.set("machine", jsonKV(machine))
	var exit int
	switch *mode {
	case "compare":
		exit = compare(os.Stdout, *dir, machine, doc)
	case "growth":
		exit = growth(os.Stdout, *dir, doc)
	}
	if *jsonOut != "" {
		b, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			fatalf("%v", err)
		}
		if err := os.MkdirAll(filepath.Dir(*jsonOut), 0o755); err != nil {
			fatalf("%v", err)
		}
		if err := os.WriteFile(*jsonOut, append(b, '\n'), 0o644); err != nil {
			fatalf("%v", err)
		}
		fmt.Printf("\nresults: %s\n", *jsonOut)
	}
	os.Exit(exit)
}

// peers are the rows apiguard is compared with, in column order; the
// public-route row is also a peer of the other apiguard rows (what their
// policy costs).
var peers = []string{"direct", "floor", "bare", "bare-tls", "nginx", "caddy", "haproxy", "apiguard"}

var peerTitle = map[string]string{"apiguard": "ag public"}

func compare(w io.Writer, dir string, machine *kv, doc *ordered) int {
	rows, err := readDir(filepath.Join(dir, "rows"))
	if err != nil {
		fatalf("%v", err)
	}
	idle, err := readDir(filepath.Join(dir, "idle"))
	if err != nil {
		fatalf("%v", err)
	}
	byID := map[string]*kv{}
	for _, r := range rows {
		byID[r.s("id")] = r
		if r.s("status") == "ok" {
			reqs, cpu := r.f("wrk_requests"), r.f("cpu_seconds")
			r.m["cpu_s_per_10k"] = fmt.Sprintf("%.3f", cpu/reqs*10000)
			r.keys = append(r.keys, "cpu_s_per_10k")
		}
	}
	ok := func(id string) *kv {
		if r := byID[id]; r != nil && r.s("status") == "ok" {
			return r
		}
		return nil
	}
	rate := machine.s("fixed_rate")

	// ------------------------------------------------------------ table
	if len(rows) > 0 {
		table(w, rows, rate, machine)
	}
	var notes []string
	for _, r := range rows {
		label := r.s("label")
		if r.s("status") != "ok" {
			notes = append(notes, label+": "+r.s("status")+": "+r.s("reason"))
			continue
		}
		if n := r.s("notes"); n != "" {
			notes = append(notes, label+": "+n)
		}
		if n := r.s("info"); n != "" {
			notes = append(notes, label+": "+n)
		}
	}
	return compareRest(w, rows, idle, ok, rate, doc, notes)
}

func table(w io.Writer, rows []*kv, rate string, machine *kv) {
	fmt.Fprintf(w, "\n%-32s %9s %8s %8s | %8s %8s %8s | %9s %9s\n", "", "wrk", "wrk", "wrk",
		rate+"/s", rate+"/s", rate+"/s", "CPU s", "peak RSS")
	fmt.Fprintf(w, "%-32s %9s %8s %8s | %8s %8s %8s | %9s %9s\n", "row", "req/s", "p50 ms", "p99 ms",
		"p50 µs", "p90 µs", "p99 µs", "per 10k", "MiB")
	fmt.Fprintln(w, strings.Repeat("-", 112))
	for _, r := range rows {
		label := r.s("label")
		if r.s("status") != "ok" {
			fmt.Fprintf(w, "%-32s (%s)\n", label, r.s("status"))
			continue
		}
		flagMark := ""
		if r.s("notes") != "" {
			flagMark = " !"
		}
		fmt.Fprintf(w, "%-32s %9s %8s %8s | %8s %8s %8s | %9s %9s%s\n", label,
			fmtNum(r.f("rps"), "%.0f"), fmtNum(r.f("wrk_p50_us")/1000, "%.2f"), fmtNum(r.f("wrk_p99_us")/1000, "%.2f"),
			fmtNum(r.f("fixed_p50_us"), "%.0f"), fmtNum(r.f("fixed_p90_us"), "%.0f"), fmtNum(r.f("fixed_p99_us"), "%.0f"),
			fmtNum(r.f("cpu_s_per_10k"), "%.2f"), fmtNum(r.f("peak_rss_kb")/1024, "%.1f"), flagMark)
	}
	if rounds := machine.f("rounds"); rounds > 1 {
		fmt.Fprintln(w, "\nper round (the table shows medians): wrk req/s | fixed-rate p50 µs")
		for _, r := range rows {
			if r.s("status") == "ok" {
				fmt.Fprintf(w, "  %-30s %s | %s\n", r.s("label"), r.s("rounds_rps"), r.s("rounds_fixed_p50_us"))
			}
		}
	}
}

func compareRest(w io.Writer, rows, idle []*kv, ok func(string) *kv, rate string, doc *ordered, notes []string) int {

	// ------------------------------------------------------------ idle connections
	idleJSON := []any{}
	if len(idle) > 0 {
		fmt.Fprintf(w, "\nidle keep-alive connections (one request each, then held idle):\n")
		fmt.Fprintf(w, "  %-30s %7s %12s %12s %12s %8s %12s\n", "server", "held", "RSS before", "RSS held", "VmHWM", "closed", "per conn")
		for _, r := range idle {
			held := r.f("answered")
			per := math.NaN()
			if held > 0 {
				per = (r.f("rss_held_kb") - r.f("rss_before_kb")) / held
				r.m["per_conn_kib"] = fmt.Sprintf("%.2f", per)
				r.keys = append(r.keys, "per_conn_kib")
			}
			if r.s("status") != "ok" {
				fmt.Fprintf(w, "  %-30s (%s: %s)\n", r.s("label"), r.s("status"), r.s("reason"))
			} else {
				fmt.Fprintf(w, "  %-30s %7.0f %8.1f MiB %8.1f MiB %8.1f MiB %8s %8.1f KiB\n", r.s("label"), held,
					r.f("rss_before_kb")/1024, r.f("rss_held_kb")/1024, r.f("hwm_kb")/1024, r.s("closed_by_server"), per)
				if n := r.s("notes"); n != "" {
					notes = append(notes, r.s("label")+" (idle connections): "+n)
				}
			}
			idleJSON = append(idleJSON, jsonKV(r))
		}
	}

	if len(notes) > 0 {
		fmt.Fprintln(w, "\nnotes (a row marked ! had errors, non-2xx answers or missed its fixed rate: not like-for-like):")
		for _, n := range notes {
			fmt.Fprintf(w, "  - %s\n", n)
		}
	}

	// ------------------------------------------------------------ ratios
	var present []string
	for _, p := range peers {
		if ok(p) != nil {
			present = append(present, p)
		}
	}
	ratios := newOrdered()
	var gws []*kv
	for _, r := range rows {
		if strings.HasPrefix(r.s("id"), "apiguard") && r.s("status") == "ok" {
			gws = append(gws, r)
		}
	}
	if len(gws) > 0 && len(present) > 0 {
		fmt.Fprintln(w, "\napiguard against each peer (req/s and CPU: apiguard ÷ peer; latency: apiguard − peer at the fixed rate)")
		fmt.Fprintf(w, "  %-32s %-13s", "", "")
		for _, p := range present {
			t := p
			if peerTitle[p] != "" {
				t = peerTitle[p]
			}
			fmt.Fprintf(w, " %10s", t)
		}
		fmt.Fprintln(w)
		for _, g := range gws {
			gr := newOrdered()
			lines := []struct {
				name string
				fn   func(p *kv) (float64, string)
			}{
				{"req/s", func(p *kv) (float64, string) {
					v := ratio(g.f("rps"), p.f("rps"))
					return v, fmtNum(v, "%.2fx")
				}},
				{"CPU per req", func(p *kv) (float64, string) {
					v := ratio(g.f("cpu_s_per_10k"), p.f("cpu_s_per_10k"))
					return v, fmtNum(v, "%.2fx")
				}},
				{"peak RSS", func(p *kv) (float64, string) {
					v := ratio(g.f("peak_rss_kb"), p.f("peak_rss_kb"))
					return v, fmtNum(v, "%.2fx")
				}},
				{"p50 added µs", func(p *kv) (float64, string) {
					v := g.f("fixed_p50_us") - p.f("fixed_p50_us")
					return v, fmtNum(v, "%+.0f")
				}},
				{"p99 added µs", func(p *kv) (float64, string) {
					v := g.f("fixed_p99_us") - p.f("fixed_p99_us")
					return v, fmtNum(v, "%+.0f")
				}},
			}
			jsonNames := []string{"rps_ratio", "cpu_per_request_ratio", "peak_rss_ratio", "fixed_p50_added_us", "fixed_p99_added_us"}
			perPeer := map[string]*ordered{}
			for _, p := range present {
				perPeer[p] = newOrdered()
			}
			for i, l := range lines {
				label := ""
				if i == 0 {
					label = g.s("label")
				}
				fmt.Fprintf(w, "  %-32s %-13s", label, l.name)
				for _, p := range present {
					if p == g.s("id") {
						fmt.Fprintf(w, " %10s", "")
						continue
					}
					v, s := l.fn(ok(p))
					fmt.Fprintf(w, " %10s", s)
					perPeer[p].set(jsonNames[i], num(v, 3))
				}
				fmt.Fprintln(w)
			}
			for _, p := range present {
				if p != g.s("id") {
					gr.set(p, perPeer[p])
				}
			}
			ratios.set(g.s("id"), gr)
		}
	}

	// ------------------------------------------------------------ targets
	type target struct {
		Name     string `json:"name"`
		Want     string `json:"want"`
		Achieved string `json:"achieved"`
		Result   string `json:"result"` // pass, fail, not measured
	}
	var targets []target
	thr := func(name, g, p string, want float64) {
		t := target{Name: name, Want: fmt.Sprintf("≥ %.1fx", want)}
		gr, pr := ok(g), ok(p)
		if gr == nil || pr == nil {
			t.Result, t.Achieved = "not measured", fmt.Sprintf("%s or %s missing", g, p)
		} else {
			v := ratio(gr.f("rps"), pr.f("rps"))
			t.Achieved = fmt.Sprintf("%.2fx (%.0f vs %.0f req/s)", v, gr.f("rps"), pr.f("rps"))
			t.Result = passFail(v >= want)
		}
		targets = append(targets, t)
	}
	thr("full policy throughput vs Caddy reverse_proxy", "apiguard-full", "caddy", 1.3)
	thr("full policy throughput vs bare ReverseProxy", "apiguard-full", "bare", 1.0)
	thr("public route throughput vs nginx", "apiguard", "nginx", 0.6)
	{
		t := target{Name: "added p99 of the full policy over the upstream direct at " + rate + " req/s", Want: "≤ 1000 µs"}
		g, d := ok("apiguard-full"), ok("direct")
		if g == nil || d == nil {
			t.Result, t.Achieved = "not measured", "apiguard-full or direct missing"
		} else {
			v := g.f("fixed_p99_us") - d.f("fixed_p99_us")
			t.Achieved = fmt.Sprintf("%+.0f µs (p99 %.0f vs %.0f µs; p50 %+.0f µs)", v, g.f("fixed_p99_us"), d.f("fixed_p99_us"),
				g.f("fixed_p50_us")-d.f("fixed_p50_us"))
			t.Result = passFail(v <= 1000)
			if rate != "1000" {
				t.Achieved += "; measured at " + rate + " req/s, the target is at 1000"
			}
		}
		targets = append(targets, t)
	}
	{
		t := target{Name: "RSS per idle keep-alive connection (apiguard full policy)", Want: "≤ 50 KiB"}
		var r *kv
		for _, x := range idle {
			if x.s("id") == "apiguard-full" && x.s("status") == "ok" {
				r = x
			}
		}
		if r == nil {
			t.Result, t.Achieved = "not measured", "no idle-connection run"
		} else {
			v := r.f("per_conn_kib")
			t.Achieved = fmt.Sprintf("%s KiB (%s connections, RSS %.1f → %.1f MiB)", fmtNum(v, "%.1f"), r.s("answered"),
				r.f("rss_before_kb")/1024, r.f("rss_held_kb")/1024)
			t.Result = passFail(v <= 50 && r.f("answered") >= r.f("conns"))
			if r.f("answered") < r.f("conns") {
				t.Achieved += fmt.Sprintf("; only %s of %s connections held", r.s("answered"), r.s("conns"))
			}
		}
		targets = append(targets, t)
	}
	fmt.Fprintln(w, "\ntargets (one run; noisy on a shared machine, see bench/README.md):")
	for _, t := range targets {
		fmt.Fprintf(w, "  %-13s %-68s %-10s %s\n", "["+strings.ToUpper(t.Result)+"]", t.Name, t.Want, t.Achieved)
	}

	rowsJSON := []any{}
	for _, r := range rows {
		rowsJSON = append(rowsJSON, jsonKV(r))
	}
	doc.set("rows", rowsJSON)
	doc.set("idle_connections", idleJSON)
	doc.set("ratios", ratios)
	doc.set("targets", targets)
	return 0
}

func passFail(b bool) string {
	if b {
		return "pass"
	}
	return "fail"
}

func growth(w io.Writer, dir string, doc *ordered) int {
	rows, err := readDir(filepath.Join(dir, "growth"))
	if err != nil {
		fatalf("%v", err)
	}
	fmt.Fprintf(w, "\n%-14s %-12s %-9s %9s %8s %8s | %8s %8s | %9s %8s | %s\n", "dimension", "size", "server",
		"req/s", "p50 ms", "p99 ms", "fix p50", "fix p99", "CPU s/10k", "RSS MiB", "note (fixed-rate latencies in µs)")
	fmt.Fprintln(w, strings.Repeat("-", 118))
	last := ""
	out := []any{}
	for _, r := range rows {
		if r.s("status") == "ok" {
			r.m["cpu_s_per_10k"] = fmt.Sprintf("%.3f", r.f("cpu_seconds")/r.f("wrk_requests")*10000)
			r.keys = append(r.keys, "cpu_s_per_10k")
		}
		dim := r.s("dimension")
		if dim != last && last != "" {
			fmt.Fprintln(w)
		}
		last = dim
		if r.s("status") != "ok" {
			fmt.Fprintf(w, "%-14s %-12s %-9s (%s: %s)\n", dim, r.s("size"), r.s("server"), r.s("status"), r.s("reason"))
		} else {
			fmt.Fprintf(w, "%-14s %-12s %-9s %9s %8s %8s | %8s %8s | %9s %8s | %s\n", dim, r.s("size"), r.s("server"),
				fmtNum(r.f("rps"), "%.0f"), fmtNum(r.f("wrk_p50_us")/1000, "%.2f"), fmtNum(r.f("wrk_p99_us")/1000, "%.2f"),
				fmtNum(r.f("fixed_p50_us"), "%.0f"), fmtNum(r.f("fixed_p99_us"), "%.0f"),
				fmtNum(r.f("cpu_s_per_10k"), "%.2f"), fmtNum(r.f("rss_kb")/1024, "%.1f"), r.s("notes"))
		}
		out = append(out, jsonKV(r))
	}
	doc.set("growth", out)
	return 0
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "report: "+format+"\n", args...)
	os.Exit(1)
}
