// A known fan-out: main starts `parents` goroutines, each starts `children` goroutines and
// waits for them. Everything ends before the trace stops.
package main

import (
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

func parent(index int, done *sync.WaitGroup) {
	defer done.Done()
	var mu sync.Mutex
	var kids sync.WaitGroup
	kids.Add(children)
	for i := 0; i < children; i++ {
		go child(&sink[index], &mu, 1000*(i+1), &kids)
	}
	kids.Wait()
}

func main() {
	truth.Start()
	var done sync.WaitGroup
	done.Add(parents)
	for i := 0; i < parents; i++ {
		go parent(i, &done)
	}
	done.Wait()
	truth.Stop(map[string]any{
		"parents":             parents,
		"children_per_parent": children,
		"parent_function":     "main.parent",
		"child_function":      "main.child",
	})
}
