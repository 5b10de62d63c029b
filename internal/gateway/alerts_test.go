package gateway

import (
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/anomaly"
	"github.com/apiguard/apiguard/internal/config"
)

func TestAnomalyConfigMapsOverDefaults(t *testing.T) {
	off := false
	c, err := anomalyConfig(&config.Alerts{
		AuthFailures: &config.AlertRule{Threshold: 5, Window: config.Duration(3 * time.Second), Action: "block", BlockFor: config.Duration(time.Minute)},
		Enumeration:  &config.AlertRule{Enabled: &off},
		TrafficSpike: &config.SpikeRule{Factor: 4},
		AlertRate:    3,
	})
	if err != nil {
		t.Fatal(err)
	}
	d := anomaly.Defaults()
	want := d.AuthFailures
	want.Threshold, want.Window, want.Action, want.BlockFor = 5, 3*time.Second, anomaly.ActionBlock, time.Minute
	if c.AuthFailures != want || c.Enumeration.Enabled || c.TrafficSpike.Factor != 4 ||
		c.TrafficSpike.Window != d.TrafficSpike.Window || c.AlertRate != 3 || c.AlertBurst != d.AlertBurst ||
		c.CredentialStuffing != d.CredentialStuffing {
		t.Fatalf("mapped %+v", c)
	}
	if !c.Blocks() {
		t.Fatal("a blocking rule is not seen")
	}
}

func TestAnomalyConfigErrorsNameTheField(t *testing.T) {
	_, err := anomalyConfig(&config.Alerts{CredentialStuffing: &config.AlertRule{Threshold: 500}})
	if err == nil || err.Error() != "alerts.credential_stuffing.threshold: must be 1 to 64" {
		t.Fatalf("error %v", err)
	}
}
