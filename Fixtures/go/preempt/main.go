// Spinning goroutines outnumber the Ps, so the runtime must preempt them (sysmon forces a
// preemption after 10 ms of running while others wait); one goroutine yields with
// runtime.Gosched an exact number of times.
package main

import (
	"runtime"
	"sync"
	"time"

	"schedscope.fixtures/internal/truth"
)

const (
	procs       = 2
	spinners    = 4
	spinFor     = 200 * time.Millisecond
	goschedCall = 100
)

var sink uint64

//go:noinline
func spin(d time.Duration, done *sync.WaitGroup) {
	defer done.Done()
	end := time.Now().Add(d)
	x := uint64(1)
	for time.Now().Before(end) {
		for i := 0; i < 10000; i++ { // a loop with no calls: only async preemption stops it
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	sink += x
}

func yielder(done *sync.WaitGroup) {
	defer done.Done()
	for i := 0; i < goschedCall; i++ {
		runtime.Gosched()
	}
}

func main() {
	runtime.GOMAXPROCS(procs)
	truth.Start()
	var done sync.WaitGroup
	done.Add(spinners + 1)
	for i := 0; i < spinners; i++ {
		go spin(spinFor, &done)
	}
	go yielder(&done)
	done.Wait()
	truth.Stop(map[string]any{
		"procs":            procs,
		"spinners":         spinners,
		"spinner_function": "main.spin",
		"spin_ns":          spinFor.Nanoseconds(),
		"gosched_calls":    goschedCall,
		"yielder_function": "main.yielder",
	})
}
