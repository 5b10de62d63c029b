//go:build race

package openapi

// raceEnabled: the race detector drops sync.Pool items (regexp machines)
// at random, so allocation counts are not checked under it.
const raceEnabled = true
