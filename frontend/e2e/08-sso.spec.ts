// SSO from WeLink into the OA and QR login on the OA login page (issue 8),
// in Chromium against `serve --demo`: the WeLink emulator's JSAPI stand-in
// and OAuth pages, and the e-cology 9 emulator's ssoToken pages.
import { chromium, expect, test, type APIRequestContext, type Browser, type Page } from '@playwright/test'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { api, baseURL, DEMO_CLIENT_ID, DEMO_SECRET, publicUrl, signIn, usePublicUrl } from './session'

const shotsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots')
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }
const hideToasts = '.n-message-container { display: none !important; }'

interface Setup {
  appId: string
  welinkOrigin: string
  oaOrigin: string
}

// A corp with the demo app (reused if an earlier spec left one), the public
// base URL set, and 扫码登录 turned on in the UI.
async function setUp(page: Page): Promise<Setup> {
  await signIn(page)
  const req = page.request
  const st = await usePublicUrl(req)
  let appId = ''
  for (const c of await api<any[]>(req, 'tenant', 'ListCorps')) {
    for (const a of (await api<any[]>(req, 'tenant', 'ListApps', c.id)) ?? []) {
      if (a.clientId === DEMO_CLIENT_ID) appId = a.id
    }
  }
  if (!appId) {
    const corp = await api<any>(req, 'tenant', 'CreateCorp', '扫码登录测试企业')
    const app = await api<any>(req, 'tenant', 'SaveApp', {
      id: '', corpId: corp.id, name: 'OA 单点', clientId: DEMO_CLIENT_ID, clientSecret: DEMO_SECRET,
      homepage: { kind: 'entry', entry: 'home', customUrl: '' },
    })
    appId = app.id
  }
  const welinkOrigin = new URL(st.effectiveWelinkBaseUrl || st.welinkBaseUrl).origin
  const qr = await api<any>(req, 'sso', 'QRSettings')
  return { appId, welinkOrigin, oaOrigin: qr.oaOrigins[0] }
}

// A WeLink user of the emulated tenant who is not bound yet.
async function freshWeLinkUser(req: APIRequestContext, s: Setup, skip: number): Promise<{ id: string; name: string }> {
  const res = await req.get(`${s.welinkOrigin}/sim/users?limit=${skip + 1}`)
  if (res.ok()) {
    const list = await res.json()
    const users = Array.isArray(list) ? list : list.users ?? list.data ?? []
    if (users.length > skip) return { id: users[skip].userId, name: users[skip].userNameCn }
  }
  throw new Error(`emulator users: ${res.status()} ${await res.text()}`)
}

async function phone(browser: Browser, lang = 'zh-CN') {
  const ctx = await browser.newContext({ ...PHONE, locale: lang, extraHTTPHeaders: { 'Accept-Language': lang } })
  return { ctx, page: await ctx.newPage() }
}

test('QR login settings: 请先添加welink until an app exists, then on with the app and the snippet', async ({ page }) => {
  await signIn(page)
  let appCount = 0
  for (const c of await api<any[]>(page.request, 'tenant', 'ListCorps')) appCount += ((await api<any[]>(page.request, 'tenant', 'ListApps', c.id)) ?? []).length
  if (appCount === 0) {
    await page.goto(`${baseURL()}/#/qrlogin`)
    await expect(page.getByTestId('qr-no-welink')).toContainText('请先添加welink')
    await page.screenshot({ path: path.join(shotsDir, 'zh-qrlogin-no-welink.png'), fullPage: true, style: hideToasts })
  }
  const s = await setUp(page)
  await page.goto(`${baseURL()}/#/qrlogin`)
  await page.reload()
  await expect(page.getByTestId('qrlogin-page')).toBeVisible()
  await expect(page.getByTestId('qr-snippet-script-value')).toContainText(`${publicUrl()}/qr/login.js`)
  await expect(page.getByTestId('qr-origin')).toHaveText(s.oaOrigin)
  // Turning it on without an app is refused with the catalogue message.
  const sw = page.getByTestId('qr-enabled')
  if ((await sw.getAttribute('aria-checked')) !== 'true') await sw.click()
  const apps = page.getByTestId('qr-apps')
  // Clear a previous choice, if any.
  for (const close of await apps.locator('.n-base-close').all()) await close.click()
  if (await page.getByTestId('qr-save').isEnabled()) {
    await page.getByTestId('qr-save').click()
    await expect(page.getByTestId('qr-save-error')).toContainText('至少选择一个集成的应用')
  }
  await apps.click()
  await page.locator('.n-base-select-option').filter({ hasText: 'OA' }).first().click()
  await page.keyboard.press('Escape')
  await page.getByTestId('qr-save').click()
  await expect(page.getByTestId('qr-status')).toHaveText('已开启')
  await page.waitForTimeout(300)
  await page.screenshot({ path: path.join(shotsDir, 'zh-qrlogin-settings.png'), fullPage: true, style: hideToasts })
})

test('SSO from the WeLink homepage: unbound user binds, then a bound user lands directly', async ({ page, browser }) => {
  const s = await setUp(page)
  const user = await freshWeLinkUser(page.request, s, 11)
  const home = `${publicUrl()}/sso/${s.appId}/mobile?wl_sim_user=${encodeURIComponent(user.id)}`

  // First open: not bound → the binding page (phone-sized, zh).
  const p1 = await phone(browser)
  await p1.page.goto(home)
  await expect(p1.page.getByTestId('sso-bind')).toBeVisible()
  await expect(p1.page.getByTestId('sso-bind')).toContainText(user.name)
  await p1.page.screenshot({ path: path.join(shotsDir, 'zh-sso-bind-phone.png'), fullPage: true })
  await p1.page.fill('#loginId', 'zhangsan')
  await p1.page.fill('#password', 'wrong-password')
  await p1.page.click('#bind-submit')
  await expect(p1.page.getByTestId('sso-bind-error')).toBeVisible()
  await expect(p1.page.locator('#loginId')).toHaveValue('zhangsan')
  await p1.page.screenshot({ path: path.join(shotsDir, 'zh-sso-bind-error-phone.png'), fullPage: true })
  await p1.page.fill('#password', 'demo123')
  await p1.page.click('#bind-submit')
  await expect(p1.page.getByTestId('oa-logged-in')).toContainText('已登录：张三（zhangsan）')
  expect(p1.page.url().startsWith(s.oaOrigin)).toBe(true)
  expect(p1.page.url()).not.toContain('wl_sim_user')
  await p1.ctx.close()

  // Second open in a fresh WebView: bound → straight into the OA.
  const p2 = await phone(browser, 'en-US')
  await p2.page.goto(home)
  await expect(p2.page.getByTestId('oa-logged-in')).toContainText('zhangsan')
  await p2.ctx.close()

  // A pushed deep link lands on the to-do list.
  const p3 = await phone(browser)
  const target = '/wui/index.html#/main/workflow/listDoing'
  await p3.page.goto(`${publicUrl()}/sso/${s.appId}/mobile?target=${encodeURIComponent(target)}&wl_sim_user=${encodeURIComponent(user.id)}`)
  await expect(p3.page.getByTestId('oa-logged-in')).toContainText('zhangsan')
  await expect(p3.page.getByTestId('oa-hash')).toHaveText('#/main/workflow/listDoing')
  await p3.ctx.close()

  // WeLink on PC: no JSAPI → web OAuth2 (the emulator's login page).
  const pc = await browser.newContext()
  const pcPage = await pc.newPage()
  await pcPage.goto(`${publicUrl()}/sso/${s.appId}/pc`)
  await pcPage.locator('input[name=userIdOther]').fill(user.id)
  await pcPage.locator('#go').click()
  await expect(pcPage.getByTestId('oa-logged-in')).toContainText('zhangsan')
  await pc.close()
})

test('replayed code, forged state, open redirect and expired QR fail with clear pages', async ({ page, browser }) => {
  const s = await setUp(page)
  const user = await freshWeLinkUser(page.request, s, 11)
  // A WebView whose JSAPI always hands out the same code (a replay).
  const code = (await (await page.request.post(`${s.welinkOrigin}/sim/jsapi/authcode?clientId=${DEMO_CLIENT_ID}&userId=${encodeURIComponent(user.id)}`)).json()).code
  const { ctx, page: p } = await phone(browser)
  await p.route('**/docs/jsapi/2.0.9/hwh5-cloudonline.js', (r) =>
    r.fulfill({ contentType: 'application/javascript', body: `window.HWH5={getAuthCode:function(){return Promise.resolve({code:${JSON.stringify(code)}})}}` }),
  )
  await p.goto(`${publicUrl()}/sso/${s.appId}/mobile`)
  await expect(p.getByTestId('oa-logged-in')).toBeVisible()
  await p.goto(`${publicUrl()}/sso/${s.appId}/mobile`)
  await expect(p.locator('#err')).toContainText('已经用过')
  await p.screenshot({ path: path.join(shotsDir, 'zh-sso-replayed-phone.png'), fullPage: true })

  // Forged OAuth2 state.
  await p.goto(`${publicUrl()}/sso/callback?code=abc&state=FORGEDSTATEFORGEDSTATEFORGEDSTATE`)
  await expect(p.getByTestId('sso-error')).toHaveAttribute('data-code', 'sso.state_invalid')
  await expect(p.getByTestId('sso-error')).toContainText('登录请求无效')

  // Open redirect attempts stay on our error page.
  for (const target of ['https://evil.example.com/', '//evil.example.com/x', 'javascript:alert(1)']) {
    await p.goto(`${publicUrl()}/sso/${s.appId}/mobile?target=${encodeURIComponent(target)}`)
    await expect(p.getByTestId('sso-error')).toHaveAttribute('data-code', 'sso.target_invalid')
    expect(new URL(p.url()).origin).toBe(publicUrl())
  }
  await p.screenshot({ path: path.join(shotsDir, 'zh-sso-open-redirect-phone.png'), fullPage: true })

  // The same page for an English-speaking phone.
  const en = await phone(browser, 'en-US')
  await en.page.goto(`${publicUrl()}/sso/${s.appId}/mobile?target=${encodeURIComponent('https://evil.example.com/')}`)
  await expect(en.page.getByTestId('sso-error')).toContainText('points outside the OA system')
  await en.page.screenshot({ path: path.join(shotsDir, 'en-sso-open-redirect-phone.png'), fullPage: true })
  await en.ctx.close()

  // An expired (or unknown) QR.
  await api(page.request, 'sso', 'SaveQRSettings', { enabled: true, appIds: [s.appId] })
  await p.goto(`${publicUrl()}/qr/s/EXPIREDQRSESSIONEXPIREDQRSESSION`)
  await expect(p.getByTestId('sso-error')).toContainText('二维码已过期')
  await ctx.close()
})

test('QR login: the OA login page shows the QR, the phone scans and confirms, the desktop enters the OA', async ({ page, browser }) => {
  const s = await setUp(page)
  const user = await freshWeLinkUser(page.request, s, 11) // bound to zhangsan by the SSO test
  await api(page.request, 'sso', 'SaveQRSettings', { enabled: true, appIds: [s.appId] })

  // The OA admin pasted the snippet into the e-cology login page.
  const snippet = (await api<any>(page.request, 'sso', 'QRSettings')).snippet.script as string
  // The customised login page is served through Playwright's route (the
  // emulator's page plus the snippet). Chromium gives such a response no
  // IP address space, treats it as public and its Local Network Access
  // check then blocks the loopback script; a real OA login page is served
  // by the OA host itself. So the desktop browser runs without that check.
  const deskBrowser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights'],
  })
  const desk = await deskBrowser.newContext({ viewport: { width: 1280, height: 800 } })
  const d = await desk.newPage()
  d.on('pageerror', (e) => console.log('desktop page error:', e.message))
  await d.route('**/wui/index.html*', async (r) => {
    const res = await r.fetch()
    const body = (await res.text()).replace('</body>', `${snippet}</body>`)
    await r.fulfill({ response: res, body })
  })
  await d.goto(`${s.oaOrigin}/wui/index.html`)
  await expect(d.getByTestId('oa-login')).toBeVisible()
  await d.getByTestId('cloudbridge-qr-toggle').click()
  const frame = d.frameLocator('[data-testid=cloudbridge-qr-frame]')
  await expect(frame.getByTestId('qr-state')).toHaveAttribute('data-state', 'waiting')
  const qrUrl = await frame.getByTestId('qr-code').getAttribute('data-url')
  expect(qrUrl).toMatch(new RegExp(`^${publicUrl()}/qr/s/`))
  await d.screenshot({ path: path.join(shotsDir, 'zh-qr-oa-login.png') })

  // The phone: WeLink's scanner opens the URL as this user.
  const { ctx, page: p } = await phone(browser)
  await p.goto(`${s.welinkOrigin}/sim/phone?userId=${encodeURIComponent(user.id)}&url=${encodeURIComponent(qrUrl!)}`)
  // Run alone (without the SSO test), the user binds first on the phone.
  await expect(p.getByTestId('sso-confirm').or(p.getByTestId('sso-bind'))).toBeVisible()
  if (await p.getByTestId('sso-bind').isVisible()) {
    await p.fill('#loginId', 'zhangsan')
    await p.fill('#password', 'demo123')
    await p.click('#bind-submit')
  }
  await expect(p.getByTestId('sso-confirm')).toBeVisible()
  await expect(p.getByTestId('sso-confirm-as')).toContainText('zhangsan')
  await expect(frame.getByTestId('qr-state')).toHaveAttribute('data-state', 'scanned')
  await p.screenshot({ path: path.join(shotsDir, 'zh-qr-confirm-phone.png'), fullPage: true })
  await d.screenshot({ path: path.join(shotsDir, 'zh-qr-oa-scanned.png') })
  await p.locator('#confirm').click()
  await expect(p.getByTestId('sso-done')).toContainText('已确认登录')

  // The desktop browser enters the OA logged in.
  await expect(d.getByTestId('oa-logged-in')).toContainText('已登录：张三（zhangsan）')
  await d.screenshot({ path: path.join(shotsDir, 'zh-qr-oa-entered.png') })
  await ctx.close()
  await desk.close()
  await deskBrowser.close()
})
