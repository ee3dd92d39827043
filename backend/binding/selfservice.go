package binding

import (
	"context"
	"strconv"
	"strings"
	"time"

	"cloudbridge/backend/core"
	"cloudbridge/backend/oa"
	"cloudbridge/backend/store"
)

// Self-service binding: an unbound WeLink user proves an OA account (its
// password through oa.Connector.CheckPassword, or the OA's own OAuth2 login
// through oa.IdentityProvider) and is bound to it. The public binding page
// (backend/sso) calls these functions; the admin UI never does.
//
// Wrong passwords are counted per WeLink user and per source IP in the
// store (so a restart does not reset a lockout): UserMaxFailures within
// FailureWindow lock that user for LockDuration; IPMaxFailures lock the IP.
const (
	UserMaxFailures = 5
	IPMaxFailures   = 20
	FailureWindow   = 15 * time.Minute
	LockDuration    = 15 * time.Minute
)

// SelfBindRequest is what the binding page posts.
type SelfBindRequest struct {
	CorpID       string
	WeLinkUserID string // from the WeLink identity of the SSO session, never from the form
	LoginID      string
	Password     string
	SourceIP     string // the client address as the public listener saw it
}

// SelfBind verifies the OA account with conn.CheckPassword and binds the
// WeLink user to it (MethodSelfService, audited with the source IP).
//
// Errors (all catalogue errors, safe to show on the public page):
// ErrBindingSelfDisabled (corp switched it off), ErrBindingSelfLocked
// {seconds} (too many failures for this user or IP), ErrBindingWeLinkUserBound
// (already bound to another OA user; binding to the same one succeeds),
// ErrBindingOAUserTakenSelf, ErrRequired, and the connector's
// ErrOABadCredentials / ErrOALocked / ErrOACaptcha / ErrOAAccountDisabled /
// ErrOANotSupported / network errors. Only bad credentials and disabled
// accounts count as failures; OA outages do not lock anyone out.
func SelfBind(ctx context.Context, db *store.DB, clock core.Clock, conn oa.Connector, req SelfBindRequest) (Binding, error) {
	req.LoginID = strings.TrimSpace(req.LoginID)
	if req.LoginID == "" {
		return Binding{}, core.ErrRequired.New("field", "loginid")
	}
	if req.Password == "" {
		return Binding{}, core.ErrRequired.New("field", "password")
	}
	if err := selfPrecheck(db, clock, req.CorpID, req.WeLinkUserID, req.SourceIP); err != nil {
		return Binding{}, err
	}
	u, err := conn.CheckPassword(ctx, req.LoginID, req.Password)
	if err != nil {
		if core.Of(err, core.ErrOABadCredentials) || core.Of(err, core.ErrOAAccountDisabled) || core.Of(err, core.ErrOAUserNotFound) {
			if lerr := recordFailure(db, clock, req.CorpID, req.WeLinkUserID, req.SourceIP); lerr != nil {
				return Binding{}, lerr
			}
		}
		return Binding{}, err
	}
	return selfBindVerified(db, clock, req.CorpID, req.WeLinkUserID, u, "checkLogin", req.SourceIP)
}

// SelfBindOAuth2Request finishes a binding through the OA's OAuth2 login:
// the page sent the browser to idp.AuthorizeURL(state, RedirectURI) and the
// OA came back with Code.
type SelfBindOAuth2Request struct {
	CorpID       string
	WeLinkUserID string
	Code         string
	RedirectURI  string
	SourceIP     string
}

// SelfBindOAuth2 exchanges the code for the OA user and binds. Lockouts are
// checked (a locked user or IP stays locked) but a failed exchange is not
// counted: it guesses no password. Errors as SelfBind, plus the exchange's.
func SelfBindOAuth2(ctx context.Context, db *store.DB, clock core.Clock, idp oa.IdentityProvider, req SelfBindOAuth2Request) (Binding, error) {
	if strings.TrimSpace(req.Code) == "" {
		return Binding{}, core.ErrRequired.New("field", "code")
	}
	if err := selfPrecheck(db, clock, req.CorpID, req.WeLinkUserID, req.SourceIP); err != nil {
		return Binding{}, err
	}
	u, err := idp.Exchange(ctx, req.Code, req.RedirectURI)
	if err != nil {
		return Binding{}, err
	}
	return selfBindVerified(db, clock, req.CorpID, req.WeLinkUserID, u, "oauth2", req.SourceIP)
}

// SelfBindState tells the binding page what to show before the user types.
type SelfBindState struct {
	Enabled       bool     `json:"enabled"`
	Bound         bool     `json:"bound"`
	Binding       *Binding `json:"binding,omitempty"`
	LockedSeconds int      `json:"lockedSeconds,omitempty"`
}

// SelfBindStatus reports whether the corp allows self-service, whether the
// user is bound already and any lockout in force for the user or IP.
func SelfBindStatus(db *store.DB, clock core.Clock, corpID, welinkUserID, sourceIP string) (SelfBindState, error) {
	var st SelfBindState
	err := db.View(func(tx *store.Tx) error {
		s, err := LoadSettings(tx, corpID)
		if err != nil {
			return err
		}
		st.Enabled = s.SelfService
		b, ok, err := ForWeLinkUser(tx, corpID, welinkUserID)
		if err != nil {
			return err
		}
		if ok {
			st.Bound, st.Binding = true, &b
		}
		st.LockedSeconds, err = lockedFor(tx, clock.Now(), corpID, welinkUserID, sourceIP)
		return err
	})
	return st, err
}

func selfPrecheck(db *store.DB, clock core.Clock, corpID, welinkUserID, ip string) error {
	if corpID == "" || welinkUserID == "" {
		return core.ErrRequired.New("field", "welinkUserId")
	}
	return db.View(func(tx *store.Tx) error {
		s, err := LoadSettings(tx, corpID)
		if err != nil {
			return err
		}
		if !s.SelfService {
			return core.ErrBindingSelfDisabled.New()
		}
		secs, err := lockedFor(tx, clock.Now(), corpID, welinkUserID, ip)
		if err != nil {
			return err
		}
		if secs > 0 {
			return core.ErrBindingSelfLocked.New("seconds", strconv.Itoa(secs))
		}
		return nil
	})
}

func selfBindVerified(db *store.DB, clock core.Clock, corpID, welinkUserID string, u oa.User, via, ip string) (Binding, error) {
	if u.Left {
		return Binding{}, core.ErrOAAccountDisabled.New("loginid", u.LoginID)
	}
	var out Binding
	err := db.Update(func(tx *store.Tx) error {
		cur, ok, err := ForWeLinkUser(tx, corpID, welinkUserID)
		if err != nil {
			return err
		}
		if ok {
			if cur.OAUserID == u.ID {
				out = cur
				return nil
			}
			return core.ErrBindingWeLinkUserBound.New("user", welinkUserID, "oa", cur.OALoginID)
		}
		if other, taken, err := ForOAUser(tx, corpID, u.ID); err != nil {
			return err
		} else if taken && other.WeLinkUserID != welinkUserID {
			// The page is public: do not name the other WeLink user.
			return core.ErrBindingOAUserTakenSelf.New()
		}
		out, err = put(tx, Binding{CorpID: corpID, WeLinkUserID: welinkUserID, OAUserID: u.ID, OALoginID: u.LoginID,
			Method: MethodSelfService, Detail: via, By: welinkUserID, At: clock.Now()}, false, ip)
		if err != nil {
			return err
		}
		return attempts.Delete(tx, userAttemptKey(corpID, welinkUserID))
	})
	return out, err
}

// attempt counts recent failures of one user or IP.
type attempt struct {
	Key         string      `json:"key"`
	Failures    []time.Time `json:"failures"`
	LockedUntil time.Time   `json:"lockedUntil,omitzero"`
}

var attempts = store.NewCollection("binding.attempt", func(a *attempt) string { return a.Key })

func userAttemptKey(corpID, welinkUserID string) string {
	return "u~" + corpID + "~" + strings.NewReplacer("/", "%2F", "\x00", "").Replace(welinkUserID)
}

func ipAttemptKey(ip string) string {
	return "ip~" + strings.NewReplacer("/", "%2F", "\x00", "").Replace(ip)
}

func lockedFor(tx *store.Tx, now time.Time, corpID, welinkUserID, ip string) (int, error) {
	keys := []string{userAttemptKey(corpID, welinkUserID)}
	if ip != "" {
		keys = append(keys, ipAttemptKey(ip))
	}
	worst := 0
	for _, k := range keys {
		a, err := attempts.Get(tx, k)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return 0, err
		}
		if left := a.LockedUntil.Sub(now); left > 0 {
			secs := int((left + time.Second - 1) / time.Second)
			worst = max(worst, secs)
		}
	}
	return worst, nil
}

func recordFailure(db *store.DB, clock core.Clock, corpID, welinkUserID, ip string) error {
	now := clock.Now()
	return db.Update(func(tx *store.Tx) error {
		type counter struct {
			key string
			max int
		}
		cs := []counter{{userAttemptKey(corpID, welinkUserID), UserMaxFailures}}
		if ip != "" {
			cs = append(cs, counter{ipAttemptKey(ip), IPMaxFailures})
		}
		for _, c := range cs {
			a, err := attempts.Get(tx, c.key)
			if err != nil && !isNotFound(err) {
				return err
			}
			a.Key = c.key
			kept := a.Failures[:0]
			for _, t := range a.Failures {
				if now.Sub(t) < FailureWindow {
					kept = append(kept, t)
				}
			}
			a.Failures = append(kept, now)
			if len(a.Failures) >= c.max {
				a.LockedUntil = now.Add(LockDuration)
				a.Failures = nil
			}
			if err := attempts.Put(tx, &a); err != nil {
				return err
			}
		}
		return nil
	})
}

// PruneAttempts removes failure counters that can no longer lock anyone
// (no failure within FailureWindow and no lockout in force), so addresses
// that failed once do not pile up. Run it from a housekeeping schedule.
func PruneAttempts(db *store.DB, clock core.Clock) (int, error) {
	now := clock.Now()
	var stale []string
	err := db.View(func(tx *store.Tx) error {
		return attempts.Each(tx, func(a attempt) error {
			if now.Before(a.LockedUntil) {
				return nil
			}
			for _, t := range a.Failures {
				if now.Sub(t) < FailureWindow {
					return nil
				}
			}
			stale = append(stale, a.Key)
			return nil
		})
	})
	if err != nil {
		return 0, err
	}
	for start := 0; start < len(stale); start += chunkSize {
		chunk := stale[start:min(start+chunkSize, len(stale))]
		if err := db.Update(func(tx *store.Tx) error {
			for _, k := range chunk {
				if err := attempts.Delete(tx, k); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return start, err
		}
	}
	return len(stale), nil
}
