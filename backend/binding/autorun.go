package binding

import (
	"sort"

	"cloudbridge/backend/core"
	"cloudbridge/backend/store"
)

// AutoBindPreview is what "run auto-bind now" would do, before it does it.
type AutoBindPreview struct {
	Token    string `json:"token"` // ApplyAutoBind(token) after confirmation
	Rules    []Rule `json:"rules"`
	OAUsers  int    `json:"oaUsers"`
	Result   Result `json:"result"` // Outcomes: unbound users only, at most 2000, bindable first
	Shown    int    `json:"shown"`
	Examined int    `json:"examined"`
}

// PreviewAutoBind runs the corp's saved rules over every unbound WeLink
// user without writing anything.
func (s *Service) PreviewAutoBind(corpID string) (AutoBindPreview, error) {
	ctx, j, err := s.startJob("autobind-preview", 0)
	if err != nil {
		return AutoBindPreview{}, err
	}
	_ = ctx
	var out AutoBindPreview
	err = s.d.DB.View(func(tx *store.Tx) error {
		st, err := LoadSettings(tx, corpID)
		if err != nil {
			return err
		}
		if len(st.Rules) == 0 {
			return core.ErrBindingRuleInvalid.New("index", "1", "reason", "no rules")
		}
		idx, err := LoadOAIndex(tx)
		if err != nil {
			return err
		}
		users, err := usersOfCorp(tx, corpID)
		if err != nil {
			return err
		}
		res, err := PlanAutoBind(tx, corpID, users, idx, st.Rules)
		if err != nil {
			return err
		}
		out.Rules, out.OAUsers, out.Examined = st.Rules, idx.Len(), len(users)
		p := &plan{kind: "autobind", corpID: corpID}
		var shown []Outcome
		for _, o := range res.Outcomes {
			if o.Reason == ReasonBound {
				p.changes = append(p.changes, change{WeLinkUserID: o.WeLinkUserID, OAUserID: o.OAUserID, OALoginID: o.OALoginID, Detail: o.Rule})
			}
			if o.Reason != ReasonAlreadyBound {
				shown = append(shown, o)
			}
		}
		rank := map[string]int{ReasonBound: 0, ReasonAmbiguous: 1, ReasonConflict: 2, ReasonOATaken: 3, ReasonNone: 4}
		sort.SliceStable(shown, func(i, k int) bool { return rank[shown[i].Reason] < rank[shown[k].Reason] })
		res.Outcomes = shown[:min(2000, len(shown))]
		if res.Outcomes == nil {
			res.Outcomes = []Outcome{}
		}
		out.Result, out.Shown = res, len(res.Outcomes)
		out.Token = s.keepPlan(p)
		return nil
	})
	s.endJob(j, err)
	return out, err
}

// ApplyAutoBind writes the bindings of a preview. Users whose state changed
// since the preview are skipped and reported.
func (s *Service) ApplyAutoBind(token string) (ApplyResult, error) {
	p, err := s.takePlan(token, "autobind", true)
	if err != nil {
		return ApplyResult{}, err
	}
	ctx, j, err := s.startJob("autobind", len(p.changes))
	if err != nil {
		return ApplyResult{}, err
	}
	res := s.applyChanges(ctx, j, p.corpID, MethodRule, p.changes)
	s.endJob(j, nil)
	return res, nil
}
