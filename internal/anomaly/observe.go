package anomaly

import (
	"hash/maphash"
	"math"
	"net/netip"
)

// ipState is what the per-IP detectors keep for one client IP (/64).
type ipState struct {
	auth, injection counter
	creds           distinct
	quiet           [3]uint32 // Unix second each detector may fire again
}

// idState is what the per-identity detectors keep for one identity.
type idState struct {
	auth    counter
	objects distinct
	traffic spike
	quiet   [3]uint32
}

// fired is a detection found under a shard lock, raised after it.
type fired struct {
	det             detector
	count, baseline float64
}

type firings struct {
	f [numDetectors]fired
	n int
}

// check records a detection when count reached the rule's threshold and
// the detector's cooldown for this key is over, starting a new one.
func (p *firings) check(r *rule, d detector, count float64, quiet *[3]uint32, now uint32) bool {
	q := &quiet[d%3]
	if count < r.threshold || now < *q {
		return false
	}
	*q = now + r.cooldown + 1 // now is truncated to the second: never less than the cooldown
	p.f[p.n] = fired{det: d, count: count}
	p.n++
	return true
}

// Observe feeds one answered request to the detectors: O(1), one or two
// short critical sections of a lock-striped table, no I/O, and no
// allocation. Call it after the response, on the request's goroutine.
// Events with Code CodeClientBlocked are ignored.
func (e *Engine) Observe(ev Event) {
	if ev.Code == CodeClientBlocked {
		return
	}
	r := e.rules.Load()
	if ev.Time.IsZero() {
		ev.Time = e.now()
	}
	at := instant{ns: max(ev.Time.UnixNano(), 0), sec: uint32(max(ev.Time.Unix(), 0))}
	var p firings
	if ev.ClientIP.IsValid() && (ev.authFailure() || ev.injection()) {
		e.observeIP(r, &ev, at, &p)
	}
	if ev.hasIdentity() {
		e.observeIdentity(r, &ev, at, &p)
	}
	for i := range p.n {
		e.raise(r, &ev, p.f[i])
	}
}

func (e *Engine) observeIP(r *rules, ev *Event, at instant, p *firings) {
	mu, s := e.ips.acquire(e.ipHash(ev.ClientIP), at.sec, r.ipIdle)
	defer mu.Unlock()
	if ev.authFailure() {
		if rl := &r.det[detAuthIP]; rl.on {
			idx, f := at.bucket(rl.window)
			p.check(rl, detAuthIP, s.auth.add(idx, f), &s.quiet, at.sec)
		}
		if rl := &r.det[detStuffing]; rl.on && ev.CredentialFingerprint != 0 {
			idx, f := at.bucket(rl.window)
			if n, grew := s.creds.add(idx, f, e.mix(ev.CredentialFingerprint)); grew {
				p.check(rl, detStuffing, n, &s.quiet, at.sec)
			}
		}
	}
	if rl := &r.det[detInjection]; rl.on && ev.injection() {
		idx, f := at.bucket(rl.window)
		p.check(rl, detInjection, s.injection.add(idx, f), &s.quiet, at.sec)
	}
}

func (e *Engine) observeIdentity(r *rules, ev *Event, at instant, p *firings) {
	mu, s := e.ids.acquire(e.identityHash(ev), at.sec, r.idIdle)
	defer mu.Unlock()
	if rl := &r.det[detAuthIdentity]; rl.on && ev.authFailure() {
		idx, f := at.bucket(rl.window)
		p.check(rl, detAuthIdentity, s.auth.add(idx, f), &s.quiet, at.sec)
	}
	if rl := &r.det[detEnumeration]; rl.on && ev.probe() {
		idx, f := at.bucket(rl.window)
		if n, grew := s.objects.add(idx, f, e.objectHash(ev)); grew {
			p.check(rl, detEnumeration, n, &s.quiet, at.sec)
		}
	}
	if rl := &r.det[detSpike]; rl.on {
		idx, f := at.bucket(rl.window)
		n := s.traffic.add(idx, f, r.alpha)
		if n < rl.threshold || s.traffic.n < r.warm || at.sec < s.quiet[detSpike%3] {
			return
		}
		if base := s.traffic.baseline(r.alpha); n > r.factor*base && p.check(rl, detSpike, n, &s.quiet, at.sec) {
			p.f[p.n-1].baseline = base
		}
	}
}

// raise passes a detection through the global alert limit and queues
// its alert without waiting.
func (e *Engine) raise(r *rules, ev *Event, f fired) {
	if !r.limit.take(&e.tat, ev.Time.UnixNano()) {
		e.suppressed.Add(1)
		e.withheld.Add(1)
		return
	}
	rl := &r.det[f.det].src
	a := Alert{Time: ev.Time, Detector: detectors[f.det].name, Key: detectors[f.det].key,
		ClientIP: ev.ClientIP, Subject: ev.Subject, KeyID: ev.KeyID, Route: ev.Route,
		Count: int(math.Round(f.count)), Threshold: rl.Threshold, Window: rl.Window,
		Baseline: f.baseline, Action: rl.Action, Suppressed: e.withheld.Swap(0)}
	if a.Action == ActionBlock {
		a.BlockUntil = ev.Time.Add(rl.BlockFor)
	}
	select {
	case e.out <- a:
		e.raised.Add(1)
	default:
		e.dropped.Add(1)
		e.withheld.Add(a.Suppressed + 1)
	}
}

// ipHash keys a client: its IPv4 address, or the /64 of an IPv6 one.
func (e *Engine) ipHash(ip netip.Addr) uint64 {
	ip = ip.Unmap()
	b := ip.As16()
	if ip.Is6() {
		clear(b[8:])
	}
	return maphash.Comparable(e.ipSeed, b)
}

// identityHash keys the identity: Subject, else "key:"+KeyID (the same
// hash as that string, without building it).
func (e *Engine) identityHash(ev *Event) uint64 {
	if ev.Subject != "" {
		return maphash.String(e.idSeed, ev.Subject)
	}
	var h maphash.Hash
	h.SetSeed(e.idSeed)
	h.WriteString(keyIdentityPrefix)
	h.WriteString(ev.KeyID)
	return h.Sum64()
}

// objectHash keys an object: its route and id.
func (e *Engine) objectHash(ev *Event) uint64 {
	var h maphash.Hash
	h.SetSeed(e.objSeed)
	h.WriteString(ev.Route)
	h.WriteByte(0)
	h.WriteString(ev.ObjectID)
	return h.Sum64()
}

// mix spreads a caller's credential fingerprint under the engine's salt
// (SplitMix64's finalizer), so even a weak fingerprint fills the bitmap
// evenly.
func (e *Engine) mix(x uint64) uint64 {
	x ^= e.credSalt
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
