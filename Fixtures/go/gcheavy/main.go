// Allocates garbage and forces a known number of collections with runtime.GC, then reports
// how many cycles the runtime itself counted while the trace was on.
package main

import (
	"runtime"

	"schedscope.fixtures/internal/truth"
)

const explicitCollections = 5

var keep [][]byte

func churn() {
	for i := 0; i < 300; i++ {
		keep = append(keep, make([]byte, 4096))
		if len(keep) > 64 {
			keep = keep[:0]
		}
	}
}

func main() {
	runtime.GC() // start from a quiet heap: no cycle in flight when the trace starts
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	truth.Start()
	for i := 0; i < explicitCollections; i++ {
		churn()
		runtime.GC() // returns when the cycle has finished, sweep included
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	truth.Stop(map[string]any{
		"explicit_collections": explicitCollections,
		"cycles":               after.NumGC - before.NumGC,
		"forced_cycles":        after.NumForcedGC - before.NumForcedGC,
	})
}
