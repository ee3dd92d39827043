package welink

import (
	"sort"
	"strings"
	"time"
)

// QuotaSnapshot is what the client's quota windows hold right now: per app
// and API the calls in the current second and minute against WeLink's
// limits, and since the client started the calls made, the calls that had
// to wait for a window (and how long) and the 48503 answers. Counters
// start again when the client is rebuilt (the WeLink base URL changed).
type QuotaSnapshot struct {
	At       time.Time  `json:"at"`
	Disabled bool       `json:"disabled"` // the client's own limiter is off (tests)
	IP       QuotaIP    `json:"ip"`
	Apps     []AppQuota `json:"apps"`
}

// QuotaIP is the per-source-IP window shared by all apps.
type QuotaIP struct {
	Used          int `json:"used"`
	Limit         int `json:"limit"`
	WindowSeconds int `json:"windowSeconds"`
}

// AppQuota is one app's APIs, those called at least once.
type AppQuota struct {
	ClientID string     `json:"clientId"`
	APIs     []APIQuota `json:"apis"`
}

// APIQuota is one app × API (the unit WeLink's quota applies to).
type APIQuota struct {
	API         string     `json:"api"`   // "GET /contact/v2/user/list"
	Class       string     `json:"class"` // auth | contacts | todo | message | other
	Second      int        `json:"second"`
	PerSecond   int        `json:"perSecond"`
	Minute      int        `json:"minute"`
	PerMinute   int        `json:"perMinute"`
	Calls       int64      `json:"calls"`
	Waits       int64      `json:"waits"`
	WaitedMs    int64      `json:"waitedMs"`
	Refused     int64      `json:"refused"` // 48503 answers
	PausedUntil *time.Time `json:"pausedUntil,omitempty"`
}

// Endpoint classes of APIClass.
const (
	ClassAuth     = "auth"
	ClassContacts = "contacts"
	ClassTodo     = "todo"
	ClassMessage  = "message"
	ClassOther    = "other"
)

// APIClass groups an API ("METHOD /path") by what it serves, for display:
// WeLink's quota itself is per API.
func APIClass(api string) string {
	_, path, _ := strings.Cut(api, " ")
	switch {
	case strings.HasPrefix(path, "/auth/"):
		return ClassAuth
	case strings.HasPrefix(path, "/contact/"), strings.HasPrefix(path, "/weopen/"):
		return ClassContacts
	case strings.HasPrefix(path, "/todo/"):
		return ClassTodo
	case strings.HasPrefix(path, "/messages/"), strings.HasPrefix(path, "/card/"):
		return ClassMessage
	}
	return ClassOther
}

// inWindow counts the logged calls younger than the window.
func (w *window) inWindow(now time.Time) int {
	n := 0
	for i := 0; i < w.count; i++ {
		if now.Sub(w.ring[(w.head+i)%len(w.ring)]) < w.d {
			n++
		}
	}
	return n
}

// QuotaSnapshot reads every app's quota state. It takes each lock briefly
// and never waits for a call.
func (c *Client) QuotaSnapshot() QuotaSnapshot {
	now := time.Now()
	s := QuotaSnapshot{At: now, Disabled: c.limits.Disabled, Apps: []AppQuota{}}
	c.ip.mu.Lock()
	s.IP = QuotaIP{Used: c.ip.win.inWindow(now), Limit: c.limits.PerIP, WindowSeconds: int(c.limits.IPWindow / time.Second)}
	c.ip.mu.Unlock()
	c.mu.Lock()
	apps := make([]*App, 0, len(c.apps))
	for _, a := range c.apps {
		apps = append(apps, a)
	}
	c.mu.Unlock()
	for _, a := range apps {
		aq := AppQuota{ClientID: a.id, APIs: []APIQuota{}}
		a.lmu.Lock()
		for api, l := range a.limiters {
			l.mu.Lock()
			if l.calls > 0 || l.refused > 0 {
				q := APIQuota{API: api, Class: APIClass(api), Second: l.sec.inWindow(now), PerSecond: c.limits.PerSecond,
					Minute: l.min.inWindow(now), PerMinute: c.limits.PerMinute, Calls: l.calls, Waits: l.waits,
					WaitedMs: l.waited.Milliseconds(), Refused: l.refused}
				if l.pausedUntil.After(now) {
					t := l.pausedUntil
					q.PausedUntil = &t
				}
				aq.APIs = append(aq.APIs, q)
			}
			l.mu.Unlock()
		}
		a.lmu.Unlock()
		sort.Slice(aq.APIs, func(i, j int) bool { return aq.APIs[i].API < aq.APIs[j].API })
		s.Apps = append(s.Apps, aq)
	}
	sort.Slice(s.Apps, func(i, j int) bool { return s.Apps[i].ClientID < s.Apps[j].ClientID })
	return s
}
