//go:build !unix

package audit

import "os"

// lockFile is a no-op where flock(2) does not exist.
func lockFile(*os.File) error { return nil }
