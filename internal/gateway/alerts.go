package gateway

import (
	"errors"
	"strings"
	"time"

	"github.com/apiguard/apiguard/internal/anomaly"
	"github.com/apiguard/apiguard/internal/config"
)

// anomalyConfig maps the alerts section onto the detectors'
// configuration: every field left zero keeps anomaly.Defaults(). Bounds
// are checked here, at compile time, so `apiguard check` reports them
// with their field paths (alerts.auth_failures.threshold: ...).
func anomalyConfig(a *config.Alerts) (anomaly.Config, error) {
	c := anomaly.Defaults()
	mergeRule(&c.AuthFailures, a.AuthFailures)
	mergeRule(&c.CredentialStuffing, a.CredentialStuffing)
	mergeRule(&c.Enumeration, a.Enumeration)
	mergeRule(&c.InjectionRepeat, a.InjectionRepeat)
	if s := a.TrafficSpike; s != nil {
		mergeRule(&c.TrafficSpike.Rule, &s.AlertRule)
		if s.Factor != 0 {
			c.TrafficSpike.Factor = s.Factor
		}
		setDuration(&c.TrafficSpike.Baseline, s.Baseline)
		setDuration(&c.TrafficSpike.WarmUp, s.WarmUp)
	}
	if a.AlertRate != 0 {
		c.AlertRate = a.AlertRate
	}
	if a.AlertBurst != 0 {
		c.AlertBurst = a.AlertBurst
	}
	if err := c.Validate(); err != nil {
		return c, alertsFieldErrors(err)
	}
	return c, nil
}

func mergeRule(dst *anomaly.Rule, src *config.AlertRule) {
	if src == nil {
		return
	}
	if src.Enabled != nil {
		dst.Enabled = *src.Enabled
	}
	if src.Threshold != 0 {
		dst.Threshold = src.Threshold
	}
	setDuration(&dst.Window, src.Window)
	setDuration(&dst.Cooldown, src.Cooldown)
	setDuration(&dst.BlockFor, src.BlockFor)
	if src.Action != "" {
		dst.Action = anomaly.Action(src.Action)
	}
}

func setDuration(dst *time.Duration, v config.Duration) {
	if v != 0 {
		*dst = time.Duration(v)
	}
}

// alertsFieldErrors turns the detectors' "anomaly: auth_failures.window
// must be ..." into "alerts.auth_failures.window: must be ...", one line
// each.
func alertsFieldErrors(err error) error {
	var lines []string
	for _, line := range strings.Split(err.Error(), "\n") {
		msg := strings.TrimPrefix(line, "anomaly: ")
		if field, rest, ok := strings.Cut(msg, " "); ok {
			msg = "alerts." + field + ": " + rest
		}
		lines = append(lines, msg)
	}
	return errors.New(strings.Join(lines, "\n"))
}
