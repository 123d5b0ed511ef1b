package apiclient

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"

	"github.com/abtop-dev/abtop/internal/format"
)

// Cause says in a few words why a request failed, for a retry line
// ("retrying (3/8) in 4s: connection refused"): the API's status and code,
// or what the network did, without Go's wording ("dial tcp …: connect:").
func Cause(err error) string {
	var ae *Error
	if errors.As(err, &ae) {
		s := fmt.Sprintf("%d %s", ae.Status, http.StatusText(ae.Status))
		if ae.Code != "" {
			s += " (" + Printable(ae.Code) + ")"
		}
		return s
	}
	var te *TransportError
	if errors.As(err, &te) && te.Timeout {
		if te.After > 0 {
			return "no response within " + format.Duration(te.After)
		}
		return "timed out"
	}
	var dns *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "connection closed before the response ended"
	case errors.As(err, &dns):
		if dns.IsNotFound {
			return "unknown host " + Printable(dns.Name)
		}
		return "DNS lookup of " + Printable(dns.Name) + " failed"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "network unreachable"
	}
	if te != nil && te.Err != nil {
		return Printable(te.Err.Error())
	}
	return Printable(err.Error())
}
