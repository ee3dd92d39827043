package sso

import (
	"net/http"
	"strings"

	"cloudbridge/backend/core"
)

// Page texts (phones and the login-page frame). Errors come from the
// shared catalogue (core locales, errors.sso.*).
var texts = map[string]map[string]string{
	"zh-CN": {
		"brand":           "云桥 · WeLink",
		"auth.title":      "正在登录 OA…",
		"auth.hint":       "正在通过 WeLink 确认您的身份",
		"auth.oauth":      "改用 WeLink 网页登录",
		"pick.title":      "选择租户和企业",
		"pick.hint":       "请选择要登录的租户（团队名称）及集成的企业",
		"pick.app":        "应用：",
		"bind.title":      "关联 OA 账号",
		"bind.hint":       "您的 WeLink 账号（{name}）尚未关联 OA 账号。请输入 OA 账号和密码完成关联，之后打开应用即可直接进入 OA。",
		"bind.loginId":    "OA 账号",
		"bind.password":   "OA 密码",
		"bind.submit":     "关联并继续",
		"bind.note":       "密码只用于向 OA 核对一次，云桥不会保存。",
		"confirm.title":   "登录电脑上的 OA",
		"confirm.as":      "将以 OA 账号 {name}（{login}）登录电脑上的 OA 网页。",
		"confirm.asLogin": "将以 OA 账号 {login} 登录电脑上的 OA 网页。",
		"confirm.from":    "请求来自电脑 IP：{ip}。不是您本人在电脑前操作时，请取消。",
		"confirm.ok":      "确认登录",
		"confirm.cancel":  "取消",
		"done.ok":         "已确认登录",
		"done.okHint":     "{name}，请回到电脑继续。本页面可以关闭。",
		"done.cancel":     "已取消登录",
		"done.cancelHint": "电脑上的 OA 不会登录。本页面可以关闭。",
		"error.title":     "无法登录",
		"error.back":      "请回到 WeLink 重新打开应用；如果问题持续，请联系管理员。",
		"frame.title":     "WeLink 扫码登录",
		"frame.waiting":   "请使用 WeLink 扫一扫登录",
		"frame.scanned":   "已扫描，请在手机上确认",
		"frame.confirmed": "{name} 已确认，正在进入 OA…",
		"frame.expired":   "二维码已失效",
		"frame.canceled":  "已在手机上取消登录",
		"frame.refresh":   "刷新二维码",
		"frame.enter":     "进入 OA",
		"frame.error":     "二维码暂不可用",
		"frame.toggle":    "扫码登录",
	},
	"en-US": {
		"brand":           "CloudBridge · WeLink",
		"auth.title":      "Signing you in to the OA…",
		"auth.hint":       "Confirming who you are with WeLink",
		"auth.oauth":      "Use WeLink web sign-in instead",
		"pick.title":      "Choose your team and enterprise",
		"pick.hint":       "Choose the tenant (team name) and the integrated enterprise to sign in with",
		"pick.app":        "App: ",
		"bind.title":      "Link your OA account",
		"bind.hint":       "Your WeLink account ({name}) is not linked to an OA account yet. Enter your OA account and password to link it; from then on the app opens the OA directly.",
		"bind.loginId":    "OA account",
		"bind.password":   "OA password",
		"bind.submit":     "Link and continue",
		"bind.note":       "The password is checked once with the OA and never stored.",
		"confirm.title":   "Sign in to the OA on your computer",
		"confirm.as":      "You will sign in to the OA web page on your computer as {name} ({login}).",
		"confirm.asLogin": "You will sign in to the OA web page on your computer as {login}.",
		"confirm.from":    "Requested by a computer at {ip}. If that is not you at the computer, cancel.",
		"confirm.ok":      "Sign in",
		"confirm.cancel":  "Cancel",
		"done.ok":         "Sign-in confirmed",
		"done.okHint":     "{name}, continue on your computer. You can close this page.",
		"done.cancel":     "Sign-in cancelled",
		"done.cancelHint": "The OA on the computer will not be signed in. You can close this page.",
		"error.title":     "Cannot sign you in",
		"error.back":      "Go back to WeLink and open the app again; if this keeps happening, contact your administrator.",
		"frame.title":     "WeLink QR login",
		"frame.waiting":   "Scan with WeLink to sign in",
		"frame.scanned":   "Scanned — confirm on your phone",
		"frame.confirmed": "{name} confirmed, opening the OA…",
		"frame.expired":   "This QR code has expired",
		"frame.canceled":  "Sign-in was cancelled on the phone",
		"frame.refresh":   "Refresh QR code",
		"frame.enter":     "Open the OA",
		"frame.error":     "QR login is not available",
		"frame.toggle":    "QR login",
	},
}

// langOf: ?lang= (the login page passes its own), else Accept-Language.
func langOf(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l != "" {
		return core.NormalizeLang(l)
	}
	return core.NormalizeLang(r.Header.Get("Accept-Language"))
}

// tr translates a page text, filling {placeholders} from kv pairs.
func tr(lang, key string, kv ...string) string {
	s, ok := texts[lang][key]
	if !ok {
		s = key // a missing text shows, instead of a blank
	}
	for i := 0; i+1 < len(kv); i += 2 {
		s = strings.ReplaceAll(s, "{"+kv[i]+"}", kv[i+1])
	}
	return s
}
