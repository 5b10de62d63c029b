package openapi

import (
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/apiguard/apiguard/internal/pipeline"
)

// TestConcurrentUse shares one Spec, stage and filter between goroutines
// (run with -race): results must not depend on what runs alongside.
func TestConcurrentUse(t *testing.T) {
	s := mustLoad(t, specFiles[1])
	o := mustOperation(t, s, "/v1/orders", "GET", "POST")
	st := o.RequestStage(1 << 20)
	f := filterOf(t, o, ModeReport)
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				n := g*40 + i
				var r *http.Request
				want := ""
				switch n % 3 {
				case 0:
					r = req("POST", "/v1/orders", validOrder)
				case 1:
					r = req("POST", "/v1/orders", `{"sku":"ABC-1234","quantity":`+strconv.Itoa(-n)+`,"email":"a@b.co"}`)
					want = "body.quantity: must be >= 1"
				case 2:
					r = req("GET", "/v1/orders?status=open&limit="+strconv.Itoa(100+n), "")
					want = "query.limit: must be <= 100"
				}
				x, err := check(st, r)
				got := ""
				if err != nil {
					got = err.(interface{ Error() string }).Error()
					if p := asProblem(err); p != nil {
						got = p.Detail
					}
				}
				if got != want {
					errs <- "request " + strconv.Itoa(n) + ": " + got + ", want " + want
					return
				}
				body := `{"items":[{"id":` + strconv.Itoa(n) + `,"sku":"ABC-1234","quantity":1,"status":"open","leak":1}]}`
				if err := f.Filter(x, resp(200, "application/json", body)); err != nil || len(x.Findings) != 1 {
					errs <- "response " + strconv.Itoa(n) + ": " + strconv.Itoa(len(x.Findings)) + " findings"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

var _ pipeline.Stage = (*requestStage)(nil)
