package apiclient

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"reflect"
)

// unexpectedBody says in plain words why a 2xx body is not the JSON abtop
// expected: an HTML page (a captive portal or a proxy answering for the
// API), JSON of another shape, or not JSON at all. Go's decoder errors
// ("invalid character '<'", "cannot unmarshal array into Go value of type
// …") name abtop's internals, not the problem.
func unexpectedBody(status int, contentType string, body []byte, err error) error {
	mt, _, _ := mime.ParseMediaType(contentType)
	head := bytes.ToLower(bytes.TrimSpace(body[:min(len(body), 512)]))
	if mt == "text/html" || bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html")) {
		return fmt.Errorf("got an HTML page (captive portal or proxy?) with status %d where the API's JSON was expected", status)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		want := "a value of another type"
		switch te.Type.Kind() {
		case reflect.Struct, reflect.Map:
			want = "an object"
		case reflect.Slice, reflect.Array:
			want = "a list"
		case reflect.String:
			want = "a string"
		case reflect.Float64, reflect.Float32, reflect.Int, reflect.Int64:
			want = "a number"
		case reflect.Bool:
			want = "true or false"
		}
		where := ""
		if te.Field != "" {
			where = fmt.Sprintf(" at %q", te.Field)
		}
		return fmt.Errorf("the %d response has a JSON %s%s where %s was expected", status, te.Value, where, want)
	}
	return fmt.Errorf("the %d response is not JSON (%s)", status, describeBody(head))
}

// describeBody names what a body starts with, for a person.
func describeBody(head []byte) string {
	if len(head) == 0 {
		return "it is empty"
	}
	return fmt.Sprintf("it starts with %q", Printable(string(head[:min(len(head), 24)])))
}
