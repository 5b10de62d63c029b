package injection

// Repeated strings are judged once per request. JSON APIs send arrays of
// objects whose member names (and many values: "currency": "EUR") repeat
// dozens of times; the rules are pure functions of the string, so a string
// found clean once is clean again. Only clean verdicts are remembered
// (a hit must be recorded at each location), only for short strings, and
// the remembered bytes are copied into the memo's own arena, never aliased:
// the buffers values are decoded into are reused, and an alias could make
// an unjudged string look remembered.
const (
	memoSlots  = 64   // direct-mapped, a power of two
	memoMaxLen = 64   // longer strings are rarely repeated exactly
	memoArena  = 4096 // bytes of remembered strings per request
)

type memo struct {
	arena []byte
	slots [memoSlots]struct{ off, n uint16 } // n == 0: empty
}

func (m *memo) reset() {
	m.arena = m.arena[:0]
	m.slots = [memoSlots]struct{ off, n uint16 }{}
}

// memoSlot is a cheap position hash of a non-empty v: collisions only
// cost a re-judgement, never a wrong verdict (the bytes are compared).
func memoSlot(v string) int {
	n := len(v)
	h := uint(n)*31 + uint(v[0])*7 + uint(v[n/2])*13 + uint(v[n-1])*3 + uint(v[n/3])
	return int(h & (memoSlots - 1))
}

// clean reports whether v was remembered as clean in this request.
func (m *memo) clean(v string) bool {
	if len(v) == 0 || len(v) > memoMaxLen {
		return false
	}
	s := m.slots[memoSlot(v)]
	return int(s.n) == len(v) && string(m.arena[s.off:int(s.off)+int(s.n)]) == v
}

// remember records v as clean, while the arena has room.
func (m *memo) remember(v string) {
	if len(v) == 0 || len(v) > memoMaxLen || len(m.arena)+len(v) > memoArena {
		return
	}
	if m.arena == nil {
		m.arena = make([]byte, 0, memoArena)
	}
	off := len(m.arena)
	m.arena = append(m.arena, v...)
	m.slots[memoSlot(v)] = struct{ off, n uint16 }{uint16(off), uint16(len(v))}
}
