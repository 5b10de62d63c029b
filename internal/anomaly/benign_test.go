package anomaly

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/apiguard/apiguard/internal/store"
)

// user is one caller of the benign load.
type user struct {
	subject, ip string
	rate        float64 // requests per minute
	since       int     // first active minute
	burstEvery  int     // minutes between 2-minute bursts at 3× (0: none)
	objects     int     // objects it owns
}

// benignLoad is three hours of a realistic day: 50 users at 2 to 60
// requests a minute with a daily swing (ten of them behind one NAT
// address), a heavy user at 150/min with 3× bursts, a client paging
// through its 2,000 objects, a user starting mid-way, a misconfigured
// client retrying a revoked key every 8 s, occasional 401s (expired
// tokens), 404s and 403s (stale links, missing scopes) and rare WAF
// false positives.
func benignLoad(feed func(Event)) {
	rng := rand.New(rand.NewPCG(1, 2))
	var users []user
	for i := range 50 {
		ip := fmt.Sprintf("10.1.%d.%d", i/200, i%200+1)
		if i >= 40 {
			ip = "203.0.113.50" // NAT
		}
		users = append(users, user{subject: fmt.Sprintf("key:u%02d", i), ip: ip, rate: 2 + 58*rng.Float64(), objects: 50})
	}
	users[1].burstEvery = 20
	users = append(users,
		user{subject: "key:heavy", ip: "10.2.0.1", rate: 150, burstEvery: 30, objects: 500},
		user{subject: "jwt-pager", ip: "10.2.0.2", rate: 40, objects: 2000},
		user{subject: "jwt-late", ip: "10.2.0.3", rate: 45, since: 90, objects: 50})
	for m := range 180 {
		var evs []Event
		minute := t0.Add(time.Duration(m) * time.Minute)
		at := func() time.Time { return minute.Add(time.Duration(rng.Int64N(int64(time.Minute)))) }
		for ui := range users {
			evs = append(evs, users[ui].minute(rng, m, at)...)
		}
		for s := 0; s < 60; s += 8 { // the misconfigured client
			ev := failure(minute.Add(time.Duration(s)*time.Second), "192.0.2.200", 7)
			ev.KeyID = "revoked1"
			evs = append(evs, ev)
		}
		slices.SortFunc(evs, func(a, b Event) int { return cmp.Compare(a.Time.UnixNano(), b.Time.UnixNano()) })
		for _, ev := range evs {
			feed(ev)
		}
	}
}

// minute returns the user's requests of minute m.
func (u *user) minute(rng *rand.Rand, m int, at func() time.Time) []Event {
	if m < u.since {
		return nil
	}
	rate := u.rate * (1 + 0.4*math.Sin(2*math.Pi*float64(m)/180)) * (0.8 + 0.4*rng.Float64())
	if u.burstEvery > 0 && m%u.burstEvery < 2 && m > 0 {
		rate *= 3
	}
	var evs []Event
	for i := range int(rate) {
		evs = append(evs, u.request(rng, m, i, at()))
	}
	if m%15 == 7 { // an expired token: one 401, then a fresh one
		evs = append(evs, failure(at(), u.ip, 100000+m))
	}
	if m%60 == 33 && u.subject == "key:u07" { // a WAF false positive
		ev := request(at(), u.ip, u.subject, "create-order", "", 403)
		ev.Code = CodeInjection
		evs = append(evs, ev)
	}
	return evs
}

func (u *user) request(rng *rand.Rand, m, i int, at time.Time) Event {
	if u.subject == "jwt-pager" { // pages through its own objects, all found
		return request(at, u.ip, u.subject, "get-order", strconv.Itoa((m*40+i)%u.objects), 200)
	}
	switch p := rng.Float64(); {
	case p < 0.01:
		return request(at, u.ip, u.subject, "get-order", strconv.Itoa(rng.IntN(100000)), 404)
	case p < 0.015:
		return request(at, u.ip, u.subject, "refund-order", strconv.Itoa(rng.IntN(u.objects)), 403)
	case p < 0.5:
		return request(at, u.ip, u.subject, "get-order", strconv.Itoa(rng.IntN(u.objects)), 200)
	}
	return request(at, u.ip, u.subject, "list-orders", "", 200)
}

func TestNoAlertOnBenignLoad(t *testing.T) {
	t.Parallel()
	r := &recorder{e: newEngine(t, Defaults())}
	n := 0
	benignLoad(func(ev Event) { n++; r.feed(ev) })
	for _, a := range r.alerts {
		t.Errorf("false alert: %s: %s", a.Detector, a.Detail())
	}
	if s := r.e.Stats(); s.Suppressed+s.Dropped != 0 {
		t.Errorf("stats %+v", s)
	}
	t.Logf("%d events, %d identities", n, r.e.Stats().Identities)
}

// The benign load with every attack mixed in, each from its own
// sources, one every 7 minutes from the second hour: each attack is
// found once, and nothing but the attacks' sources is alerted on.
func TestAttacksFoundInBenignLoad(t *testing.T) {
	t.Parallel()
	var attack []Event
	sources := map[string]bool{}
	for i, tc := range attacks {
		tc.feed(func(ev Event) {
			attack = append(attack, ev)
			sources[store.IPBlockValue(ev.ClientIP)] = true
			sources[ev.identity()] = true
		}, t0.Add(time.Hour+time.Duration(i)*7*time.Minute+17*time.Second))
	}
	slices.SortStableFunc(attack, func(a, b Event) int { return a.Time.Compare(b.Time) })
	r := &recorder{e: newEngine(t, Defaults())}
	i := 0
	benignLoad(func(ev Event) {
		for ; i < len(attack) && !attack[i].Time.After(ev.Time); i++ {
			r.feed(attack[i])
		}
		r.feed(ev)
	})
	if i != len(attack) {
		t.Fatalf("%d of %d attack events fed", i, len(attack))
	}
	for _, a := range r.alerts {
		if !sources[a.Offender()] {
			t.Errorf("false alert: %s: %s", a.Detector, a.Detail())
		}
	}
	for _, tc := range attacks {
		if got := r.of(tc.detector, tc.key); !slices.ContainsFunc(got, func(a Alert) bool { return a.Offender() == tc.offender }) {
			t.Errorf("%s: not found", tc.name)
		}
	}
}
