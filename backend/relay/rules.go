package relay

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
	"cloudbridge/backend/tenant"
)

// RuleInput is the rule editor's form. Targets without an ID are new.
type RuleInput struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Enabled bool     `json:"enabled"`
	Source  string   `json:"source"`
	Targets []Target `json:"targets"`
}

// RuleView is a rule with the names the list shows.
type RuleView struct {
	Rule
	Targets []TargetView `json:"targets"`
}

// TargetView is a target with its corp and app names ("" when gone).
type TargetView struct {
	Target
	CorpName string `json:"corpName"`
	AppName  string `json:"appName"`
}

// Modules offered in the rule editor before any message was seen. e-cology
// module names (inferred from the OA's message centre categories).
var knownModules = []string{ModuleWorkflow, "approval", "attendance", "meeting", "notice", "email", "task", "document"}

var moduleRe = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,40}$`)

func foldName(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

func validSource(s string) bool {
	return s == SourceTodo || s == SourceAll || moduleRe.MatchString(s)
}

func validType(t string) bool { return t == TypeNotice || t == TypeTodo || t == TypeCard }

// cleanRule validates a rule form against the corps and apps that exist.
func cleanRule(in RuleInput, apps Apps) (Rule, error) {
	name := strings.Join(strings.Fields(in.Name), " ")
	if name == "" {
		return Rule{}, core.ErrRequired.New("field", "name")
	}
	if utf8.RuneCountInString(name) > 64 {
		return Rule{}, core.ErrTooLong.New("field", "name", "max", "64")
	}
	src := strings.TrimSpace(in.Source)
	if !validSource(src) {
		return Rule{}, core.ErrRelaySourceInvalid.New("source", truncate(src, 40))
	}
	if len(in.Targets) == 0 {
		return Rule{}, core.ErrRelayTargetsRequired.New()
	}
	if len(in.Targets) > 50 {
		return Rule{}, core.ErrTooLong.New("field", "targets", "max", "50")
	}
	r := Rule{ID: in.ID, Name: name, Enabled: in.Enabled, Source: src}
	seen := map[string]bool{}
	for i, t := range in.Targets {
		idx := strconv.Itoa(i + 1)
		if t.Platform == "" {
			t.Platform = PlatformWeLink
		}
		if t.Platform != PlatformWeLink {
			return Rule{}, core.ErrRelayTargetInvalid.New("index", idx, "field", "platform")
		}
		if !validType(t.Type) {
			return Rule{}, core.ErrRelayTargetInvalid.New("index", idx, "field", "type")
		}
		if t.CorpID == "" {
			return Rule{}, core.ErrRelayTargetInvalid.New("index", idx, "field", "corp")
		}
		if t.AppID == "" {
			return Rule{}, core.ErrRelayTargetInvalid.New("index", idx, "field", "app")
		}
		app, err := apps.GetApp(t.AppID)
		if err != nil {
			if core.Of(err, core.ErrAppNotFound) || core.Of(err, core.ErrNotFound) {
				return Rule{}, core.ErrRelayTargetInvalid.New("index", idx, "field", "app")
			}
			return Rule{}, err
		}
		if app.CorpID != t.CorpID {
			return Rule{}, core.ErrRelayTargetAppCorp.New("app", app.Name, "corp", corpName(apps, t.CorpID))
		}
		if t.ID == "" && corpDeleting(apps, t.CorpID) {
			// A new target in a corp being deleted; existing ones may stay
			// until the delete removes them.
			return Rule{}, core.ErrCorpDeleting.New("name", corpName(apps, t.CorpID))
		}
		k := t.AppID + "/" + t.Type
		if seen[k] {
			return Rule{}, core.ErrRelayTargetDuplicate.New("app", app.Name, "type", t.Type)
		}
		seen[k] = true
		if t.ID == "" {
			t.ID = core.NewID()
		}
		r.Targets = append(r.Targets, t)
	}
	return r, nil
}

func corpDeleting(apps Apps, corpID string) bool {
	corps, err := apps.ListCorps()
	if err == nil {
		for _, c := range corps {
			if c.ID == corpID {
				return c.Deleting
			}
		}
	}
	return false
}

func corpName(apps Apps, corpID string) string {
	corps, err := apps.ListCorps()
	if err == nil {
		for _, c := range corps {
			if c.ID == corpID {
				return c.Name
			}
		}
	}
	return corpID
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// matches reports whether a rule takes an item.
func (r Rule) matches(it *Item) bool {
	if !r.Enabled {
		return false
	}
	switch r.Source {
	case SourceAll:
		return true
	case SourceTodo:
		return it.Kind == KindTodo
	}
	return strings.EqualFold(r.Source, it.Module)
}

// viewRules adds corp and app names.
func viewRules(list []Rule, apps Apps) []RuleView {
	corpNames := map[string]string{}
	if corps, err := apps.ListCorps(); err == nil {
		for _, c := range corps {
			corpNames[c.ID] = c.Name
		}
	}
	appNames := map[string]string{}
	out := make([]RuleView, 0, len(list))
	for _, r := range list {
		v := RuleView{Rule: r, Targets: make([]TargetView, 0, len(r.Targets))}
		for _, t := range r.Targets {
			n, ok := appNames[t.AppID]
			if !ok {
				if a, err := apps.GetApp(t.AppID); err == nil {
					n = a.Name
				}
				appNames[t.AppID] = n
			}
			v.Targets = append(v.Targets, TargetView{Target: t, CorpName: corpNames[t.CorpID], AppName: n})
		}
		out = append(out, v)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out
}

// Apps is what the relay needs from the tenant service.
type Apps interface {
	GetApp(id string) (tenant.AppView, error)
	ListCorps() ([]tenant.CorpView, error)
}

// CorpUses lists the rules with a target in the corp (tenant.Dependent).
func (e *Engine) CorpUses(tx *store.Tx, corpID string) ([]tenant.Use, error) {
	list, err := rules.Lookup(tx, "corp", corpID)
	if err != nil {
		return nil, err
	}
	var out []tenant.Use
	for _, r := range list {
		out = append(out, tenant.Use{Kind: "push_rule", ID: r.ID, Name: r.Name})
	}
	return out, nil
}

// maxCorpRowsInTxn bounds the undelivered rows a corp delete removes in its
// own transaction (Badger limits a transaction's size).
const maxCorpRowsInTxn = 2000

// DeleteCorpData removes the corp's targets from the rules (a rule left
// without targets goes too) and drops the corp's undelivered work, in the
// corp delete's transaction (tenant.Dependent). Finished log rows stay
// until housekeeping; they show the corp as deleted.
func (e *Engine) DeleteCorpData(tx *store.Tx, corpID string) error {
	list, err := rules.Lookup(tx, "corp", corpID)
	if err != nil {
		return err
	}
	for _, r := range list {
		var keep []Target
		for _, t := range r.Targets {
			if t.CorpID != corpID {
				keep = append(keep, t)
			}
		}
		if len(keep) == 0 {
			if err := rules.Delete(tx, r.ID); err != nil {
				return err
			}
			continue
		}
		r.Targets = keep
		r.UpdatedAt = e.clock.Now()
		if err := rules.Put(tx, &r); err != nil {
			return err
		}
	}
	open, err := deliveries.Lookup(tx, "open", "1")
	if err != nil {
		return err
	}
	removed := 0
	for _, d := range open {
		if d.CorpID == corpID && d.Status != StatusSending && removed < maxCorpRowsInTxn {
			if err := deliveries.Delete(tx, d.ID); err != nil {
				return err
			}
			removed++
		}
	}
	// Rows beyond the cap (or in flight) find their app gone and end as
	// dead letters "app deleted": the corp delete stays one transaction of
	// bounded size.
	// The rule cache is refreshed after the transaction commits; a stale
	// cache only creates rows the dispatcher then finds without an app.
	e.rulesDirty.Store(true)
	return nil
}
