// Package cli is apiguard's command line: one file per subcommand, each
// parsing its flags and calling into a domain package. Exit codes: 0 ok,
// 1 a negative result (invalid config, findings), 2 bad usage or a file
// that cannot be read, with one clear line on stderr.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// command runs one subcommand and returns its exit code.
type command func(ctx context.Context, args []string, stdout, stderr io.Writer) int

// commands is the one registry of subcommands.
var commands = map[string]command{
	"serve":   runServe,
	"check":   runCheck,
	"version": runVersion,
	"keys":    runKeys,
	"audit":   runAudit,
	"scan":    runScan,
}

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// Run dispatches args to a subcommand.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "apiguard: unknown command %q (try: %s)\n", args[0], strings.Join(names(), ", "))
		return exitUsage
	}
	return cmd(ctx, args[1:], stdout, stderr)
}

func names() []string {
	out := make([]string, 0, len(commands))
	for n := range commands {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "usage: apiguard <command> [flags]\ncommands: %s\n", strings.Join(names(), ", "))
}

// newFlags returns a FlagSet that reports errors instead of exiting.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("apiguard "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseFlags parses args and prints one clear line on a bad flag. It
// returns exitOK (-1 sentinel not needed) when parsing succeeded.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) (int, bool) {
	err := fs.Parse(args)
	if err == nil {
		return 0, true
	}
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stderr)
		fs.PrintDefaults()
		return exitOK, false
	}
	fmt.Fprintf(stderr, "%s: %v\n", fs.Name(), err)
	return exitUsage, false
}
