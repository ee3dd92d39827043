package binding

import (
	"runtime"
	"time"
)

// watchHeap samples the Go heap every 20 ms until stopped and returns the
// peaks (in-use heap, and memory obtained from the OS minus released), so
// a benchmark can tell its own heap from the store's off-heap memory.
func watchHeap() (stop func() (heapMB, sysMB float64)) {
	done, exited := make(chan struct{}), make(chan struct{})
	var maxHeap, maxSys uint64
	go func() {
		defer close(exited)
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			maxHeap = max(maxHeap, m.HeapInuse)
			maxSys = max(maxSys, m.Sys-m.HeapReleased)
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() (float64, float64) {
		close(done)
		<-exited
		return float64(maxHeap) / (1 << 20), float64(maxSys) / (1 << 20)
	}
}
