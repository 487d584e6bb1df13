// Package truth starts and stops the execution trace of a fixture program and writes
// what the program knows about itself (its ground truth) as JSON next to the trace.
package truth

import (
	"encoding/json"
	"flag"
	"log"
	"os"
	"runtime/trace"
)

var (
	tracePath = flag.String("trace", "trace.out", "where to write the Go execution trace")
	truthPath = flag.String("truth", "truth.json", "where to write the ground truth")
	traceFile *os.File
)

// Start parses the flags and starts tracing.
func Start() {
	flag.Parse()
	f, err := os.Create(*tracePath)
	if err != nil {
		log.Fatal(err)
	}
	traceFile = f
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}
}

// Stop stops tracing and writes the truth.
func Stop(truth any) {
	trace.Stop()
	if err := traceFile.Close(); err != nil {
		log.Fatal(err)
	}
	data, err := json.MarshalIndent(truth, "", "  ")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*truthPath, append(data, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
}
