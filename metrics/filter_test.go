package metrics

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// filtered passes on only the metrics of one name, for testutil.ToFloat64.
type filtered struct {
	c    prometheus.Collector
	name string
}

func (f *filtered) Describe(ch chan<- *prometheus.Desc) { prometheus.DescribeByCollect(f, ch) }

func (f *filtered) Collect(ch chan<- prometheus.Metric) {
	all := make(chan prometheus.Metric)
	go func() { f.c.Collect(all); close(all) }()
	for m := range all {
		if desc := m.Desc().String(); containsName(desc, f.name) {
			ch <- m
		}
	}
}

func containsName(desc, name string) bool {
	return len(desc) > 0 && strings.Contains(desc, `fqName: "`+name+`"`)
}
