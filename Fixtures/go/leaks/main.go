// Leaks goroutines on purpose, a known number of each kind, and lets others finish.
// Every leaked goroutine has its own start function, so its label says what it is.
package main

import (
	"sync"
	"time"

	"schedscope.fixtures/internal/truth"
)

type leak struct {
	Function string `json:"function"`
	Reason   string `json:"reason"` // Go's block reason (runtime/traceruntime.go traceBlockReasonStrings)
	Count    int    `json:"count"`
}

var (
	never     = make(chan int)
	full      = make(chan int) // unbuffered, nobody receives
	quiet     = make(chan int)
	silent    = make(chan string)
	held      sync.Mutex
	neverDone sync.WaitGroup
)

func leakChanReceive() { <-never }
func leakChanSend()    { full <- 1 }
func leakSelect() {
	select {
	case <-quiet:
	case <-silent:
	}
}
func leakMutex()     { held.Lock() }
func leakWaitGroup() { neverDone.Wait() }
func leakSleep()     { time.Sleep(time.Hour) }

func finishedWorker(done *sync.WaitGroup, n int) {
	defer done.Done()
	sum := 0
	for i := 0; i < n; i++ {
		sum += i
	}
	_ = sum
}

func main() {
	truth.Start()
	held.Lock()
	neverDone.Add(1)
	kinds := []struct {
		leak
		start func()
	}{
		{leak{"main.leakChanReceive", "chan receive", 3}, leakChanReceive},
		{leak{"main.leakChanSend", "chan send", 2}, leakChanSend},
		{leak{"main.leakSelect", "select", 2}, leakSelect},
		{leak{"main.leakMutex", "sync", 2}, leakMutex},
		{leak{"main.leakWaitGroup", "sync", 2}, leakWaitGroup},
		{leak{"main.leakSleep", "sleep", 1}, leakSleep},
	}
	var leaked []leak
	for _, k := range kinds {
		for i := 0; i < k.Count; i++ {
			go k.start()
		}
		leaked = append(leaked, k.leak)
	}
	const finished = 5
	var done sync.WaitGroup
	done.Add(finished)
	for i := 0; i < finished; i++ {
		go finishedWorker(&done, 1000*(i+1))
	}
	done.Wait()
	// Give every leaked goroutine time to reach its blocking point and stay there.
	time.Sleep(50 * time.Millisecond)
	truth.Stop(map[string]any{
		"leaked": leaked,
		"ended":  []map[string]any{{"function": "main.finishedWorker", "count": finished}},
	})
}
