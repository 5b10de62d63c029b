package mask

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
)

// FuzzMask checks the masker's contract on any input: it never panics;
// the output is at most twice the input plus a constant; masking is
// idempotent; valid JSON stays valid; and a stream split anywhere gives
// the same output as the whole input.
func FuzzMask(f *testing.F) {
	for _, c := range maskCases(f) {
		f.Add([]byte(c.in), uint8(c.kind-1), uint64(len(c.in)))
	}
	f.Add([]byte(`{"password":"a\\"}`), uint8(JSON-1), uint64(3))
	f.Add([]byte("data: x\n\n\n"), uint8(EventStream-1), uint64(1))
	m := allClasses(f)
	f.Fuzz(func(t *testing.T, in []byte, kind uint8, seed uint64) {
		k := Kind(kind%4 + 1)
		out := m.Mask(in, k)
		if len(out) > 2*len(in)+16 {
			t.Fatalf("%d bytes out of %d", len(out), len(in))
		}
		if again := m.Mask(out, k); !bytes.Equal(again, out) {
			t.Fatalf("not idempotent:\n in %q\nout %q\nout2 %q", in, out, again)
		}
		if k == JSON && json.Valid(in) && !json.Valid(out) {
			t.Fatalf("invalid JSON out of valid:\n in %q\nout %q", in, out)
		}
		doc := append([]byte(pad), in...)
		rng := rand.New(rand.NewPCG(seed, 2))
		r := &chunkReader{doc, func() int { return 1 + rng.IntN(2*Window) }}
		if got := streamed(t, m, r, k); !bytes.Equal(got[min(len(got), len(pad)):], out) || !bytes.Equal(got[:len(pad)], []byte(pad)) {
			t.Fatalf("streamed differs:\n in %q\nout %q\ngot %q", in, out, bytes.TrimLeft(got, " "))
		}
	})
}
