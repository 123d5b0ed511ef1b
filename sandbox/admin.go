package sandbox

import (
	"fmt"
	"time"

	"github.com/abtop-dev/abtop/config"
)

// OrgOptions describe a new organization.
type OrgOptions struct {
	Name    string  // free text, for logs; default "org N"
	Plan    string  // free | pro | team | business | enterprise; default team
	Limits  *Limits // overrides the plan's limits entirely when set
	Credits float64 // starting credit balance
}

// org is one organization: its plan, budget and jobs.
type org struct {
	id      string
	name    string
	plan    Plan
	limits  Limits
	credits float64

	win     window
	day     counter // writes this UTC day
	month   counter // writes this UTC month
	embargo time.Time

	jobs    []*job // creation order
	byID    map[string]*job
	queued  []*job // FIFO
	running []*job
	cursor  time.Time // time of the last lifecycle event processed
	idem    map[string]*idemEntry
	refs    map[string]bool

	hookKey  []byte // webhook signing secret, drawn on first use
	hookJobs int    // unfinished jobs with a webhook: the dispatcher watches this org
}

// token is an API token. Simulated tokens belong to the --traffic client:
// they spend the org's budget but neither set nor break its Retry-After.
type token struct {
	value     string
	org       *org
	revoked   bool
	simulated bool
}

// CreateOrg adds an organization and returns its id.
func (s *Sandbox) CreateOrg(o OrgOptions) (string, error) {
	if o.Plan == "" {
		o.Plan = PlanTeam
	}
	p, err := LookupPlan(o.Plan)
	if err != nil {
		return "", fmt.Errorf("sandbox: create org: %w", err)
	}
	limits := p.Limits
	if o.Limits != nil {
		if err := o.Limits.validate(); err != nil {
			return "", fmt.Errorf("sandbox: create org: %w", err)
		}
		limits = *o.Limits
	}
	if o.Credits < 0 {
		return "", fmt.Errorf("sandbox: create org: credits %v must not be negative", o.Credits)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextOrg++
	id := fmt.Sprintf("org_%d", s.nextOrg)
	if o.Name == "" {
		o.Name = fmt.Sprintf("org %d", s.nextOrg)
	}
	s.orgs[id] = &org{id: id, name: o.Name, plan: p, limits: limits, credits: o.Credits,
		byID: map[string]*job{}, idem: map[string]*idemEntry{}, refs: map[string]bool{}}
	return id, nil
}

// IssueToken returns a new valid token (ab_ + 48 characters = 51) for org.
func (s *Sandbox) IssueToken(orgID string) (string, error) {
	return s.issueToken(orgID, false)
}

func (s *Sandbox) issueToken(orgID string, simulated bool) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgs[orgID]
	if o == nil {
		return "", fmt.Errorf("sandbox: issue token: org %q %w", orgID, ErrNotFound)
	}
	for {
		v := "ab_" + s.randomString(48)
		if s.tokens[v] == nil {
			s.tokens[v] = &token{value: v, org: o, simulated: simulated}
			return v, nil
		}
	}
}

// RevokeToken makes the token answer 401 from its next request on.
func (s *Sandbox) RevokeToken(tok string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tokens[tok]
	if t == nil {
		return fmt.Errorf("sandbox: revoke token %s: %w", config.MaskToken(tok), ErrNotFound)
	}
	t.revoked = true
	return nil
}

// SetCredits sets an org's credit balance (a top-up or a drain).
func (s *Sandbox) SetCredits(orgID string, credits float64) error {
	if credits < 0 {
		return fmt.Errorf("sandbox: set credits: %v must not be negative", credits)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgs[orgID]
	if o == nil {
		return fmt.Errorf("sandbox: set credits: org %q %w", orgID, ErrNotFound)
	}
	o.credits = credits
	return nil
}

// Credits returns an org's credit balance.
func (s *Sandbox) Credits(orgID string) (float64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgs[orgID]
	if o == nil {
		return 0, fmt.Errorf("sandbox: credits: org %q %w", orgID, ErrNotFound)
	}
	return o.credits, nil
}

// SetLimits replaces an org's limits (custom or Enterprise limits).
func (s *Sandbox) SetLimits(orgID string, l Limits) error {
	if err := l.validate(); err != nil {
		return fmt.Errorf("sandbox: set limits: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgs[orgID]
	if o == nil {
		return fmt.Errorf("sandbox: set limits: org %q %w", orgID, ErrNotFound)
	}
	o.limits = l
	return nil
}

// Bootstrap creates an org and one token for it: the usual first step.
func (s *Sandbox) Bootstrap(o OrgOptions) (orgID, tok string, err error) {
	orgID, err = s.CreateOrg(o)
	if err != nil {
		return "", "", err
	}
	tok, err = s.IssueToken(orgID)
	return orgID, tok, err
}

const alphanum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomString draws n alphanumerics from the seeded generator; s.mu held.
func (s *Sandbox) randomString(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphanum[s.rng.IntN(len(alphanum))]
	}
	return string(b)
}
