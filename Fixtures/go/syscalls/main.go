// One goroutine makes a known number of long blocking system calls (nanosleep through the
// syscall package, not the scheduler's timers). Each lasts longer than the 10 ms after
// which sysmon always retakes the P of a thread stuck in a syscall (runtime/proc.go retake),
// so every call loses its P: Go traces that as ProcSteal, then GoSyscallEndBlocked.
package main

import (
	"sync"
	"syscall"
	"time"

	"schedscope.fixtures/internal/truth"
)

const (
	calls    = 8
	callTime = 30 * time.Millisecond
)

func blocker(done *sync.WaitGroup) {
	defer done.Done()
	ts := syscall.NsecToTimespec(callTime.Nanoseconds())
	for i := 0; i < calls; i++ {
		for syscall.Nanosleep(&ts, nil) == syscall.EINTR {
		}
	}
}

func main() {
	truth.Start()
	var done sync.WaitGroup
	done.Add(1)
	go blocker(&done)
	done.Wait()
	truth.Stop(map[string]any{
		"function":   "main.blocker",
		"syscalls":   calls,
		"syscall_ns": callTime.Nanoseconds(),
	})
}
