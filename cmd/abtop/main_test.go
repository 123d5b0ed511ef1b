package main

import (
	"flag"
	"os"
	"runtime"
	"strconv"
	"testing"
)

// TestMain runs at least 4 parallel tests at once (GOMAXPROCS if more)
// unless -parallel says otherwise or the race detector is on (see
// raceEnabled). The parallel
// tests here drive the real binary against a rate-limited sandbox: they
// spend most of their wall time waiting out its 2 s windows, not on CPU,
// so the default (GOMAXPROCS, 2 on CI) would leave the machine idle.
func TestMain(m *testing.M) {
	flag.Parse()
	set := raceEnabled
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		if err := flag.Set("test.parallel", strconv.Itoa(max(4, runtime.GOMAXPROCS(0)))); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
