package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/apiguard/apiguard/internal/audit"
	"github.com/apiguard/apiguard/internal/authn/apikey"
)

// runAudit reads and checks audit files:
//
//	audit verify [--prev HASH] [--all] FILE...
//	audit tail [-n N] FILE
//	audit query [--since D|RFC3339] [--until D|RFC3339] [--identity S] [--status N|Nxx] [--route R] [--type T] FILE...
//	audit scopes -c CONFIG [--since 30d] [--json] [FILE...]
//
// verify exits 0 when the chain is intact ("ok: N records"), 1 when it
// is not (the first bad line: "line 17: hash mismatch"); every
// subcommand exits 2 on bad usage or a file that cannot be read, with
// one line on stderr. query prints the matching records as JSON lines
// and exits 1 when some lines could not be read as records.
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &auditCmd{stdout: stdout, stderr: stderr, now: time.Now}
	return a.run(args)
}

type auditCmd struct {
	stdout, stderr io.Writer
	now            func() time.Time
}

const auditUsage = "usage: apiguard audit verify|tail|query|scopes ... FILE"

func (a *auditCmd) run(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(a.stderr, "apiguard audit: "+auditUsage)
		return exitUsage
	}
	sub := map[string]func([]string) int{"verify": a.verify, "tail": a.tail, "query": a.query, "scopes": a.scopes}[args[0]]
	if sub == nil {
		fmt.Fprintf(a.stderr, "apiguard audit: unknown subcommand %q (%s)\n", args[0], auditUsage)
		return exitUsage
	}
	return sub(args[1:])
}

// parse parses flags placed before or after the positional arguments
// and checks that there are between minPos and maxPos of them (maxPos
// < 0: no limit). ok is false when the caller must return code.
func (a *auditCmd) parse(fs *flag.FlagSet, args []string, minPos, maxPos int, usage string) (pos []string, code int, ok bool) {
	for {
		if code, ok := parseFlags(fs, args, a.stderr); !ok {
			return nil, code, false
		}
		if fs.NArg() == 0 {
			break
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
	if len(pos) < minPos || maxPos >= 0 && len(pos) > maxPos {
		fmt.Fprintf(a.stderr, "%s: usage: apiguard %s\n", fs.Name(), usage)
		return nil, exitUsage, false
	}
	return pos, exitOK, true
}

// readable checks that every file can be opened, so that a missing one
// is one clear line and exit 2 before any output.
func (a *auditCmd) readable(name string, files []string) bool {
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			fmt.Fprintf(a.stderr, "apiguard audit %s: %v\n", name, unwrapPath(err))
			return false
		}
		fh.Close()
	}
	return true
}

// unwrapPath turns "open X: no such file or directory" into
// "X: no such file or directory".
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", pe.Path, pe.Err)
	}
	return err
}

func (a *auditCmd) verify(args []string) int {
	fs := newFlags("audit verify", a.stderr)
	prev := fs.String("prev", audit.ZeroHash, "hash the first record chains to (when older rotated files were removed)")
	all := fs.Bool("all", false, "verify the rotated files beside FILE too, oldest first, then FILE")
	const usage = "audit verify [--prev HASH] [--all] FILE..."
	files, code, ok := a.parse(fs, args, 1, -1, usage)
	if !ok {
		return code
	}
	if len(*prev) != 64 || strings.Trim(*prev, "0123456789abcdef") != "" {
		fmt.Fprintln(a.stderr, "apiguard audit verify: --prev must be 64 lowercase hex digits")
		return exitUsage
	}
	if *all {
		if len(files) != 1 {
			fmt.Fprintln(a.stderr, "apiguard audit verify: --all takes the active file only")
			return exitUsage
		}
		if !a.readable("verify", files) {
			return exitUsage
		}
		var err error
		if files, err = audit.Files(files[0]); err != nil {
			fmt.Fprintf(a.stderr, "apiguard audit verify: %v\n", err)
			return exitUsage
		}
	}
	if !a.readable("verify", files) {
		return exitUsage
	}
	res, err := audit.VerifyFrom(*prev, files...)
	if err != nil {
		fmt.Fprintf(a.stderr, "apiguard audit verify: %v\n", unwrapPath(err))
		return exitUsage
	}
	if f := res.Failure; f != nil {
		where := ""
		if len(files) > 1 {
			where = f.File + ": "
		}
		fmt.Fprintf(a.stdout, "%sline %d: %s\n", where, f.Line, f.Reason)
		return exitFail
	}
	fmt.Fprintf(a.stdout, "ok: %d records\n", res.Records)
	return exitOK
}

func (a *auditCmd) tail(args []string) int {
	fs := newFlags("audit tail", a.stderr)
	n := fs.Int("n", 10, "number of records")
	files, code, ok := a.parse(fs, args, 1, 1, "audit tail [-n N] FILE")
	if !ok {
		return code
	}
	if *n < 0 {
		fmt.Fprintln(a.stderr, "apiguard audit tail: -n must not be negative")
		return exitUsage
	}
	lines, err := audit.LastLines(files[0], *n)
	if err != nil {
		fmt.Fprintf(a.stderr, "apiguard audit tail: %v\n", unwrapPath(err))
		return exitUsage
	}
	w := bufio.NewWriter(a.stdout)
	for _, l := range lines {
		w.Write(l)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(a.stderr, "apiguard audit tail: %v\n", err)
		return exitFail
	}
	return exitOK
}

func (a *auditCmd) query(args []string) int {
	fs := newFlags("audit query", a.stderr)
	since := fs.String("since", "", "records at or after: a duration back from now (1h, 7d) or an RFC 3339 time")
	until := fs.String("until", "", "records before: a duration back from now or an RFC 3339 time")
	var f audit.Filter
	fs.StringVar(&f.Identity, "identity", "", "identity subject or API key id")
	status := fs.String("status", "", "status code (401) or class (4xx)")
	fs.StringVar(&f.Route, "route", "", "route name")
	fs.StringVar(&f.Type, "type", "", "record type: request, alert, admin, reload")
	const usage = "audit query [--since D|RFC3339] [--until D|RFC3339] [--identity S] [--status N|Nxx] [--route R] [--type T] FILE..."
	files, code, ok := a.parse(fs, args, 1, -1, usage)
	if !ok {
		return code
	}
	var err error
	if f.Since, err = a.when(*since); err == nil {
		if f.Until, err = a.when(*until); err == nil {
			err = parseStatus(*status, &f)
		}
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "apiguard audit query: %v\n", err)
		return exitUsage
	}
	if !a.readable("query", files) {
		return exitUsage
	}
	out := bufio.NewWriter(a.stdout)
	bad := 0
	for _, file := range files {
		err := audit.Scan(file, func(line int, raw []byte, rec *audit.Record, err error) error {
			if err != nil {
				if bad++; bad == 1 {
					fmt.Fprintf(a.stderr, "apiguard audit query: %s: line %d is not a record: %v\n", file, line, err)
				}
				return nil
			}
			if f.Match(rec) {
				out.Write(raw)
				return out.WriteByte('\n')
			}
			return nil
		})
		if err != nil {
			out.Flush()
			fmt.Fprintf(a.stderr, "apiguard audit query: %v\n", unwrapPath(err))
			return exitUsage
		}
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintf(a.stderr, "apiguard audit query: %v\n", err)
		return exitFail
	}
	if bad > 0 {
		fmt.Fprintf(a.stderr, "apiguard audit query: %d line(s) could not be read as records\n", bad)
		return exitFail
	}
	return exitOK
}

// when reads a --since/--until value: a duration back from now or an
// RFC 3339 time.
func (a *auditCmd) when(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	d, err := apikey.ParseLifetime(s, true)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither a duration (1h, 7d) nor an RFC 3339 time", s)
	}
	return a.now().Add(-d), nil
}

// parseStatus reads --status: "401" or "4xx".
func parseStatus(s string, f *audit.Filter) error {
	if s == "" {
		return nil
	}
	if len(s) == 3 && strings.EqualFold(s[1:], "xx") && s[0] >= '1' && s[0] <= '5' {
		f.StatusClass = int(s[0] - '0')
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 100 || n > 599 {
		return fmt.Errorf("--status %q: want a status code (401) or a class (4xx)", s)
	}
	f.Status = n
	return nil
}
