package anomaly

import (
	"strings"
	"testing"
	"time"
)

func TestDefaultsAreValid(t *testing.T) {
	c := Defaults()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Blocks() {
		t.Fatal("a default rule blocks: blocking must be chosen")
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		edit       func(*Config)
	}{
		{"threshold", "auth_failures.threshold", func(c *Config) { c.AuthFailures.Threshold = 0 }},
		{"distinct threshold", "credential_stuffing.threshold must be 1 to 64", func(c *Config) { c.CredentialStuffing.Threshold = 65 }},
		{"window", "enumeration.window", func(c *Config) { c.Enumeration.Window = time.Millisecond }},
		{"action", "injection_repeat.action", func(c *Config) { c.InjectionRepeat.Action = "ban" }},
		{"block_for", "auth_failures.block_for", func(c *Config) { c.AuthFailures.Action = ActionBlock; c.AuthFailures.BlockFor = 0 }},
		{"cooldown", "auth_failures.cooldown", func(c *Config) { c.AuthFailures.Cooldown = -time.Second }},
		{"factor", "traffic_spike.factor", func(c *Config) { c.TrafficSpike.Factor = 1 }},
		{"baseline", "traffic_spike.baseline", func(c *Config) { c.TrafficSpike.Baseline = time.Second }},
		{"alert rate", "alert_rate", func(c *Config) { c.AlertRate = 0 }},
		{"capacity", "ip_capacity", func(c *Config) { c.IPCapacity = 0 }},
		{"disabled rules are not checked", "", func(c *Config) { c.Enumeration = Rule{Threshold: -1} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Defaults()
			tc.edit(&c)
			err := c.Validate()
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("Validate: %v, want %q", err, tc.want)
			}
		})
	}
}

// Reconfigure changes thresholds and keeps the counts already made.
func TestReconfigure(t *testing.T) {
	r := &recorder{e: newEngine(t, Defaults())}
	for i := range 10 {
		r.feed(failure(t0.Add(time.Duration(i)*100*time.Millisecond), "203.0.113.7", 0))
	}
	c := Defaults()
	c.AuthFailures.Threshold = 12
	if err := r.e.Reconfigure(c); err != nil {
		t.Fatal(err)
	}
	c.AuthFailures.Action = ActionBlock
	if err := r.e.Reconfigure(c); err == nil {
		t.Fatal("Reconfigure to action block without a blocker accepted")
	}
	for i := range 2 {
		r.feed(failure(t0.Add(time.Second+time.Duration(i)*100*time.Millisecond), "203.0.113.7", 0))
	}
	if len(r.alerts) != 1 || r.alerts[0].Threshold != 12 {
		t.Fatalf("alerts %+v", r.alerts)
	}
}
