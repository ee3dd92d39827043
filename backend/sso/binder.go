package sso

import (
	"context"
	"net/http"
	"strings"

	"cloudbridge/backend/binding"
	"cloudbridge/backend/core"
	"cloudbridge/backend/directory"
	"cloudbridge/backend/store"
	"cloudbridge/backend/welink"
)

// recordUser returns the WeLink user from the local directory; a user not
// synced yet is read from WeLink and recorded (seed §4.2.3: single sign-on
// records the WeLink account in 云桥通讯录). If WeLink will not say (the
// app lacks the contacts permission), the sign-in goes on with the id.
func (p *Public) recordUser(ctx context.Context, wa *welink.App, corpID, uid string) directory.User {
	var u directory.User
	var found bool
	p.o.DB.View(func(tx *store.Tx) error {
		var err error
		u, err = directory.Users.Get(tx, directory.Key(corpID, uid))
		found = err == nil
		return nil
	})
	if found {
		return u
	}
	wu, err := wa.User(ctx, welink.UserKey{UserID: uid})
	if err != nil {
		p.o.Log.Info("sso: WeLink user details unavailable", "corp", corpID, "welinkUser", uid, "welinkCode", welink.CodeOf(err))
		return directory.User{CorpID: corpID, UserID: uid}
	}
	u = directory.User{CorpID: corpID, UserID: uid, CorpUserID: wu.CorpUserID, NameCn: wu.UserNameCn, NameEn: wu.UserNameEn,
		Mobile: wu.MobileNumber, Email: wu.UserEmail, EmployeeID: wu.EmployeeID, Position: wu.Position, Sex: wu.Sex,
		Status: string(wu.UserStatus), MainDept: wu.MainDeptCode, Depts: wu.DeptCodes, SyncedAt: p.now().UTC()}
	if err := p.o.DB.Update(func(tx *store.Tx) error {
		// A sync may have written it meanwhile: keep the sync's record.
		if has, err := directory.Users.Has(tx, directory.Key(corpID, uid)); err != nil || has {
			return err
		}
		return directory.Users.Put(tx, &u)
	}); err != nil {
		p.o.Log.Warn("sso: could not record the WeLink user", "corp", corpID, "welinkUser", uid, "err", err)
	}
	return u
}

// autoBind runs the corp's shared auto-association rules (binding
// package) for one user; ok is false when they are off or nothing matched.
func (p *Public) autoBind(corpID string, u *directory.User) (binding.Binding, bool, error) {
	if u == nil || u.UserID == "" {
		return binding.Binding{}, false, nil
	}
	var b binding.Binding
	var ok bool
	err := p.o.DB.Update(func(tx *store.Tx) error {
		res, err := binding.AutoBind(tx, corpID, []directory.User{*u}, nil, p.now().UTC())
		if err != nil || res.Disabled || res.Bound == 0 {
			return err
		}
		b, ok, err = binding.ForWeLinkUser(tx, corpID, u.UserID)
		return err
	})
	return b, ok, err
}

func (p *Public) selfServiceEnabled(corpID string) bool {
	var on bool
	p.o.DB.View(func(tx *store.Tx) error {
		s, err := binding.LoadSettings(tx, corpID)
		on = err == nil && s.SelfService
		return nil
	})
	return on
}

// selfBind checks the OA password (lockouts and audit: binding package).
func (p *Public) selfBind(r *http.Request, corpID, welinkUserID, loginID, password string) (binding.Binding, error) {
	conn, err := p.o.OA(r.Context())
	if err != nil {
		return binding.Binding{}, err
	}
	ctx, cancel := p.ctxFor(r)
	defer cancel()
	b, err := binding.SelfBind(ctx, p.o.DB, p.o.Clock, conn, binding.SelfBindRequest{CorpID: corpID, WeLinkUserID: welinkUserID,
		LoginID: strings.TrimSpace(loginID), Password: password, SourceIP: clientIP(r)})
	if err != nil && core.AsError(err).Code == core.ErrInternal.Code {
		p.o.Log.Error("sso: self-service bind failed", "corp", corpID, "err", err)
	}
	return b, err
}
