// Makes Go's runtime collect; run with GODEBUG=gctrace=1, its trace lines are what Go services print.
package main

import "runtime"

func main() {
	var kept [][]byte
	for i := 0; i < 20000; i++ {
		kept = append(kept, make([]byte, 4096))
		if len(kept) > 1000 {
			kept = nil
		}
	}
	runtime.GC()
}
