package problem

import (
	"time"

	"github.com/abtop-dev/abtop/apiclient/usage"
)

// Class is what the scheduler needs to know about a failed response.
type Class struct {
	Kind      Kind
	Exhausted Exhaustion
	Retryable bool
	// Wait is the wait before a retry can help; 0 when none is known.
	Wait time.Duration
}

// Classify decides what a problem means, using the usage snapshot of the
// same response, since the status code alone is not trustworthy.
func Classify(p *Problem, s usage.Snapshot) Class {
	return Class{}
}
