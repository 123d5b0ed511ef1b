package usage

// Sources of limits stated in a response body rather than its headers.
const (
	SourceGraphQLCost = "graphql-cost" // extensions.cost.throttleStatus (Shopify GraphQL Admin API)
	SourceBody        = "body"         // RFC 9457 extension members (limit, remaining, reset, …)
)

// WithBody returns s with limits and a balance that the response's body
// stated (problem.Problem reads them) folded in, so every surface sees one
// Snapshot whatever carried the numbers. Headers win: a body limit only
// fills what a header of the same dimension did not say, and a body
// balance is used only when X-Credits-Remaining was absent. s is not
// modified.
func WithBody(s Snapshot, limits []Limit, balance *float64) Snapshot {
	if len(limits) == 0 && (balance == nil || s.Credits != nil) {
		return s
	}
	ls := make([]Limit, 0, len(s.Limits)+len(limits))
	ls = append(ls, s.Limits...)
	ls = append(ls, limits...)
	s.Limits = merge(ls)
	s.Binding = binding(s.Limits)
	if s.Credits == nil && balance != nil {
		b := *balance
		s.Credits = &b
	}
	return s
}
