package ratelimit

import "time"

func timeParse(s string) (time.Duration, error) { return time.ParseDuration(s) }

func timeDur(n int) time.Duration { return time.Duration(n) }
