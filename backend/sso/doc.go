// Package sso signs WeLink users in to the OA: the light apps' homepage
// URLs (/sso/<appID>/mobile and /pc), the binding page for users not yet
// bound, and the QR-code login shown on the OA login page (seed §2.1,
// §4.2.3, §5). The public handlers live on the public listener; the bound
// Service only edits the 扫码登录 settings.
package sso
