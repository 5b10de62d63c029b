// Command apiguard is an API security gateway and scanner. See the README.
package main

import (
	"context"
	"os"

	"github.com/apiguard/apiguard/internal/cli"
)

func main() {
	os.Exit(cli.Run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}
