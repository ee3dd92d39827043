package sso

import (
	"net/url"
	"strings"
)

// TargetParam is the query parameter of a homepage URL that carries a deep
// link into the OA (a pushed to-do or message opens that page, not the
// app's homepage).
const TargetParam = "target"

// MaxTargetLen bounds a deep link; longer ones are refused when opened.
const MaxTargetLen = 2048

// Link is the address a pushed WeLink message points at so that opening it
// signs the user in to the OA at target:
//
//	<publicBase>/sso/<appID>/mobile?target=<target, query-escaped>
//	<publicBase>/sso/<appID>/pc?target=…        (mobile false: WeLink desktop)
//
// target is an OA address exactly as the OA gives it (an OFS pcurl/appurl):
// either a path on the OA such as
// "/spa/workflow/static4form/index.html#/main/workflow/req?requestid=42",
// or an absolute URL on the OA's own host. Anything else (another host, a
// scheme-relative "//host" link, javascript:, over MaxTargetLen) is refused
// when the link is opened, with a clear page, never redirected to. An empty
// target gives the plain homepage URL (the app's configured homepage).
// publicBase is settings.PublicBaseURL; trailing slashes are ignored.
func Link(publicBase, appID, target string, mobile bool) string {
	kind := "pc"
	if mobile {
		kind = "mobile"
	}
	u := strings.TrimRight(publicBase, "/") + "/sso/" + url.PathEscape(appID) + "/" + kind
	if target = strings.TrimSpace(target); target != "" {
		u += "?" + TargetParam + "=" + url.QueryEscape(target)
	}
	return u
}
