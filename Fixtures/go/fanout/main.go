// A known fan-out: main starts `parents` goroutines, each starts `children` goroutines and
// waits for them. Everything ends before the trace stops. The whole fan-out is a user task
// (trace.NewTask), each parent's work a region (trace.WithRegion) with one log line.
package main

import (
	"context"
	"runtime/trace"
	"sync"

	"schedscope.fixtures/internal/truth"
)

const (
	parents  = 8
	children = 16
)

var sink [parents]int

func child(total *int, mu *sync.Mutex, n int, done *sync.WaitGroup) {
	defer done.Done()
	sum := 0
	for i := 0; i < n; i++ {
		sum += i ^ n
	}
	mu.Lock()
	*total += sum
	mu.Unlock()
}

func parent(ctx context.Context, index int, done *sync.WaitGroup) {
	defer done.Done()
	trace.WithRegion(ctx, "spawn children", func() {
		var mu sync.Mutex
		var kids sync.WaitGroup
		kids.Add(children)
		for i := 0; i < children; i++ {
			go child(&sink[index], &mu, 1000*(i+1), &kids)
		}
		trace.Log(ctx, "phase", "spawned")
		kids.Wait()
	})
}

func main() {
	truth.Start()
	ctx, task := trace.NewTask(context.Background(), "fan-out")
	var done sync.WaitGroup
	done.Add(parents)
	for i := 0; i < parents; i++ {
		go parent(ctx, i, &done)
	}
	done.Wait()
	task.End()
	truth.Stop(map[string]any{
		"user_task":           "fan-out",
		"region":              "spawn children",
		"log_category":        "phase",
		"log_message":         "spawned",
		"parents":             parents,
		"children_per_parent": children,
		"parent_function":     "main.parent",
		"child_function":      "main.child",
	})
}
