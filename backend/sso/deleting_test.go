package sso

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cloudbridge/backend/core"
	"cloudbridge/backend/tenant/tenanttest"
	wlsim "cloudbridge/backend/welink/sim"
)

// A corp whose delete was interrupted signs nobody in: the homepage shows
// corp.deleting_sign_in translated (the user's words, not the admin's), and a flow opened before the mark is refused
// when its code comes back. Nothing reaches the OA.
func TestDeletingCorpRefusesSignIn(t *testing.T) {
	e := newEnv(t)
	uid := e.user(1)
	e.bind(uid, "2", "zhangsan")
	e.enableQR(e.appID)
	if _, apps, _ := e.pub.qrApps(); len(apps) != 1 {
		t.Fatalf("QR apps before the mark: %+v", apps)
	}
	b := e.browser()
	flowID, csrf := authPage(t, b.get(e.home(true)))

	tenanttest.MarkDeleting(t, e.db, e.corpID)

	code, _ := e.wl.IssueCode(uid, wlsim.DemoClientID)
	wantErr(t, b.post(e.srv.URL+"/sso/f/"+flowID+"/code", url.Values{"code": {code}, "csrf": {csrf}}), http.StatusConflict, core.ErrCorpDeletingSignIn)
	for _, mobile := range []bool{true, false} {
		r := b.get(e.home(mobile))
		wantErr(t, r, http.StatusConflict, core.ErrCorpDeletingSignIn)
		if !strings.Contains(r.body, "演示企业") || !strings.Contains(r.body, "正在被管理员删除") || strings.Contains(r.body, "继续删除") {
			t.Fatalf("error page does not say which corp or why: %s", r.body)
		}
	}
	// QR login no longer offers the corp's app.
	if _, apps, _ := e.pub.qrApps(); len(apps) != 0 {
		t.Fatalf("QR apps of a corp being deleted: %+v", apps)
	}
	if n := e.oaTokens.Load(); n != 0 {
		t.Fatalf("%d OA tokens issued for a corp being deleted", n)
	}
}
