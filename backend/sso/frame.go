package sso

import (
	"encoding/json"
	"html/template"
	"net/http"
	"strings"
)

// The QR page the OA login page frames, and the script that frames it.
var frameTmpl = template.Must(template.New("frame").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>{{.Title}}</title>
<style>
html,body{margin:0;height:100%;background:transparent;font:14px/1.45 -apple-system,BlinkMacSystemFont,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1f2329}
.w{display:flex;flex-direction:column;align-items:center;justify-content:center;min-height:100%;padding:10px;box-sizing:border-box}
h1{font-size:16px;font-weight:600;margin:0 0 10px}
.q{position:relative;width:200px;height:200px;background:#fff;border:1px solid #e4e6e9;border-radius:8px;padding:6px;box-sizing:content-box}
.q svg{width:200px;height:200px;display:block}
.veil{position:absolute;inset:0;background:rgba(255,255,255,.94);display:flex;flex-direction:column;align-items:center;justify-content:center;border-radius:8px;text-align:center;padding:10px}
.veil[hidden]{display:none}
.m{margin-top:10px;min-height:20px;text-align:center;color:#51565d}
.m.ok{color:#1f9d55}.m.bad{color:#c4302b}
button{margin-top:10px;height:34px;padding:0 16px;border:0;border-radius:6px;background:#0a59f7;color:#fff;font-size:14px;cursor:pointer}
#vt.tick{font-size:36px;line-height:1;color:#1f9d55}
</style></head><body><div class="w" data-testid="qr-frame">
<h1>{{.Title}}</h1>
<div class="q"><div id="code" data-testid="qr-code"></div><div class="veil" id="veil" hidden><div id="vt"></div><button id="refresh" type="button" hidden>{{.T.refresh}}</button><button id="enter" type="button" hidden>{{.T.enter}}</button></div></div>
<div class="m" id="msg" data-testid="qr-state" data-state="">{{.T.waiting}}</div>
<form id="f" method="post" action="{{.EnterURL}}" target="_top" hidden><input name="id"><input name="key"><input name="ticket"></form>
</div>
<script nonce="{{.Nonce}}">
(function () {
  var T = {{.T}}, mode = {{.Mode}}, parentOrigin = {{.ParentOrigin}}, api = {{.API}}, enterURL = {{.EnterURL}};
  var cur = null, gen = 0, renew = null;
  var $ = function (id) { return document.getElementById(id); };
  function show(state, text, cls) {
    var m = $('msg'); m.textContent = text; m.className = 'm ' + (cls || ''); m.setAttribute('data-state', state);
    var veil = state !== 'waiting' && state !== '';
    var good = state === 'scanned' || state === 'confirmed';
    $('veil').hidden = !veil; $('vt').textContent = !veil ? '' : good ? '\u2713' : text;
    $('vt').className = good ? 'tick' : '';
    $('refresh').hidden = !(state === 'expired' || state === 'canceled' || state === 'error');
    $('enter').hidden = true;
  }
  function fresh() {
    var my = ++gen; clearTimeout(renew); cur = null;
    fetch(api + 'new', {method: 'POST', credentials: 'omit'}).then(function (r) {
      return r.json().then(function (j) { return {ok: r.ok, j: j}; });
    }).then(function (x) {
      if (my !== gen) return;
      if (!x.ok) { $('code').innerHTML = ''; show('error', x.j.message || T.error, 'bad'); return; }
      cur = x.j; $('code').innerHTML = cur.svg; $('code').setAttribute('data-url', cur.url);
      show('waiting', T.waiting);
      // Renew before the QR expires, while nobody has scanned it.
      renew = setTimeout(function () { if (my === gen && $('msg').getAttribute('data-state') === 'waiting') fresh(); }, Math.max(5000, cur.expiresIn - 15000));
      poll(my, 'waiting');
    }).catch(function () { if (my === gen) { show('error', T.error, 'bad'); } });
  }
  function poll(my, seen) {
    if (my !== gen || !cur) return;
    var body = new URLSearchParams({id: cur.id, key: cur.key, seen: seen});
    fetch(api + 'status', {method: 'POST', body: body, credentials: 'omit'}).then(function (r) { return r.json(); }).then(function (j) {
      if (my !== gen) return;
      var st = j.state;
      if (st === 'scanned') show(st, T.scanned, 'ok');
      else if (st === 'confirmed') { show(st, T.confirmed.replace('{name}', j.name || ''), 'ok'); enter(j.ticket); return; }
      else if (st === 'expired') { if (seen === 'waiting') { fresh(); return; } show(st, T.expired, 'bad'); return; }
      else if (st === 'canceled') { show(st, T.canceled, 'bad'); return; }
      poll(my, st);
    }).catch(function () { setTimeout(function () { poll(my, seen); }, 2000); });
  }
  function enter(ticket) {
    var f = $('f'); f.id.value = cur.id; f.key.value = cur.key; f.ticket.value = ticket;
    if (mode === 'script' && parentOrigin && window.parent !== window) {
      window.parent.postMessage({type: 'cloudbridge-qr', action: 'enter', url: enterURL, id: cur.id, key: cur.key, ticket: ticket}, parentOrigin);
      return;
    }
    // A framed page may move the top window only after a click (browsers
    // block it otherwise), so offer the button; unframed, go at once.
    if (window.top === window) { f.submit(); return; }
    $('enter').hidden = false;
  }
  $('refresh').onclick = fresh;
  $('enter').onclick = function () { $('f').submit(); };
  fresh();
})();
</script></body></html>`))

// GET /qr/frame[?mode=script&origin=&lang=]: the QR for the OA login page.
func (p *Public) framePage(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	allowed := p.allowedOrigins(r)
	mode, parent := "frame", ""
	if r.URL.Query().Get("mode") == "script" {
		o := strings.TrimRight(r.URL.Query().Get("origin"), "/")
		for _, a := range allowed {
			if strings.EqualFold(a, o) {
				mode, parent = "script", a
			}
		}
	}
	t := map[string]string{}
	for _, k := range []string{"waiting", "scanned", "confirmed", "expired", "canceled", "refresh", "enter", "error"} {
		t[k] = tr(lang, "frame."+k)
	}
	base := p.publicBase(r)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	// Only the OA (and this listener) may frame the QR: elsewhere a
	// relayed QR would log the scanner in on someone else's computer.
	h.Set("Content-Security-Policy", "frame-ancestors 'self' "+strings.Join(allowed, " ")+"; base-uri 'none'; object-src 'none'")
	frameTmpl.Execute(w, map[string]any{"Lang": lang, "Title": tr(lang, "frame.title"), "T": t, "Mode": mode,
		"ParentOrigin": parent, "API": base + "/qr/api/", "EnterURL": base + "/qr/enter", "Nonce": ""})
}

// GET /qr/login.js: the snippet's script. It puts the QR frame into the
// element #cloudbridge-qr (or data-container), or — when there is none —
// into a panel opened by a "QR login" button at the top right (seed §5:
// 扫码入口在右上角), and moves the login page to the OA once confirmed.
func (p *Public) loginJS(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	labels, _ := json.Marshal(map[string]string{"toggle": tr("zh-CN", "frame.toggle"), "toggleEn": tr("en-US", "frame.toggle"), "title": tr(lang, "frame.title")})
	w.Header().Set("Content-Type", "application/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write([]byte("(function (L) {\n" + loginJSBody + "\n})(" + string(labels) + ");\n"))
}

const loginJSBody = `  var s = document.currentScript;
  if (!s) return;
  var root = s.src.replace(/\/qr\/login\.js(\?.*)?$/, '');
  var rootOrigin = new URL(root).origin;
  var lang = s.getAttribute('data-lang') || document.documentElement.lang || navigator.language || 'zh-CN';
  var en = /^en/i.test(lang);
  var box = document.getElementById(s.getAttribute('data-container') || 'cloudbridge-qr');
  var frame = document.createElement('iframe');
  frame.src = root + '/qr/frame?mode=script&lang=' + encodeURIComponent(lang) + '&origin=' + encodeURIComponent(location.origin);
  frame.width = s.getAttribute('data-width') || '280';
  frame.height = s.getAttribute('data-height') || '320';
  frame.title = L.title;
  frame.setAttribute('frameborder', '0');
  frame.style.border = '0';
  frame.setAttribute('data-testid', 'cloudbridge-qr-frame');
  if (box) {
    box.appendChild(frame);
  } else {
    var btn = document.createElement('button');
    btn.type = 'button';
    btn.textContent = en ? L.toggleEn : L.toggle;
    btn.setAttribute('data-testid', 'cloudbridge-qr-toggle');
    btn.style.cssText = 'position:fixed;top:16px;right:16px;z-index:2147483646;height:34px;padding:0 14px;border:0;border-radius:6px;background:#0a59f7;color:#fff;font-size:14px;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.15)';
    var panel = document.createElement('div');
    panel.style.cssText = 'position:fixed;top:58px;right:16px;z-index:2147483647;background:#fff;border-radius:10px;box-shadow:0 6px 24px rgba(0,0,0,.18);display:none';
    btn.onclick = function () {
      var open = panel.style.display !== 'none';
      if (!open && !panel.firstChild) panel.appendChild(frame);
      panel.style.display = open ? 'none' : 'block';
    };
    document.body.appendChild(btn);
    document.body.appendChild(panel);
  }
  window.addEventListener('message', function (e) {
    if (e.source !== frame.contentWindow || e.origin !== rootOrigin) return;
    var d = e.data || {};
    if (d.type !== 'cloudbridge-qr' || d.action !== 'enter') return;
    var f = document.createElement('form');
    f.method = 'POST';
    f.action = root + '/qr/enter';
    f.style.display = 'none';
    ['id', 'key', 'ticket'].forEach(function (k) {
      var i = document.createElement('input');
      i.type = 'hidden'; i.name = k; i.value = String(d[k] || '');
      f.appendChild(i);
    });
    document.body.appendChild(f);
    f.submit();
  });`

// snippet is what the settings page shows for the OA login page; "" parts
// until the public base URL is set.
func snippet(base string) Snippet {
	if base == "" {
		return Snippet{}
	}
	frame := base + "/qr/frame"
	return Snippet{
		Script:   `<script src="` + base + `/qr/login.js" defer></script>`,
		IFrame:   `<iframe src="` + frame + `" width="280" height="320" frameborder="0" title="WeLink 扫码登录"></iframe>`,
		FrameURL: frame,
	}
}
