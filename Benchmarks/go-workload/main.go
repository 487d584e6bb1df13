// Writes a large Go execution trace for the import benchmark (docs/BENCHMARKS.md, "Go
// import"): goroutine pairs ping-ponging over unbuffered channels, a stream of short-lived
// goroutines, and enough allocation for regular GC cycles — scheduler events, mostly.
//
//	GOTOOLCHAIN=local go run ./Benchmarks/go-workload -o big.trace -rounds 3000000
package main

import (
	"flag"
	"log"
	"os"
	"runtime/trace"
	"sync"
)

var sink []byte

func pingPong(rounds int, done *sync.WaitGroup) {
	defer done.Done()
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
		close(pong)
	}()
	for i := 0; i < rounds; i++ {
		ping <- i
		<-pong
		if i%64 == 0 {
			sink = make([]byte, 4096)
		}
	}
	close(ping)
}

func spawner(count int, done *sync.WaitGroup) {
	defer done.Done()
	var children sync.WaitGroup
	for i := 0; i < count; i++ {
		children.Add(1)
		go func() { children.Done() }()
		if i%256 == 255 {
			children.Wait()
		}
	}
	children.Wait()
}

func main() {
	output := flag.String("o", "big.trace", "the trace to write")
	rounds := flag.Int("rounds", 3_000_000, "ping-pong round trips in all")
	pairs := flag.Int("pairs", 8, "ping-pong pairs")
	flag.Parse()
	f, err := os.Create(*output)
	if err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}
	var done sync.WaitGroup
	done.Add(*pairs + 1)
	for i := 0; i < *pairs; i++ {
		go pingPong(*rounds / *pairs, &done)
	}
	go spawner(*rounds/10, &done)
	done.Wait()
	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
