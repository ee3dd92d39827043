// Dashboard (issue 9 item 4) against `serve --demo`: a corp with the demo
// app (verified) and an app with a wrong secret, a real WeLink → local pull,
// a binding; the 总览 shows each app's token state (with WeLink's error),
// the stored permission probe, the quota use per endpoint class, the data
// dir's free space, the last and next sync with counts, the bound ratio,
// the 24 h push figures (as the relay reports them) and the public URL
// check on demand.
import { expect, test } from '@playwright/test'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { api, baseURL, DEMO_CLIENT_ID, DEMO_SECRET, publicUrl, signIn, usePublicUrl } from './session'

const shotsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots')
const hideToasts = '.n-message-container { display: none !important; }'

test('dashboard: app health, sync, bound ratio, push figures, public check', async ({ page }) => {
  await signIn(page)
  const req = page.request
  const st = await usePublicUrl(req)
  const corp = await api<any>(req, 'tenant', 'CreateCorp', '总览演示企业')
  const homepage = { kind: 'entry', entry: 'home', customUrl: '' }
  const good = await api<any>(req, 'tenant', 'SaveApp', { id: '', corpId: corp.id, name: '云桥演示应用', clientId: DEMO_CLIENT_ID, clientSecret: DEMO_SECRET, homepage })
  const bad = await api<any>(req, 'tenant', 'SaveApp', { id: '', corpId: corp.id, name: '错误密钥应用', clientId: '20231101000000000000999', clientSecret: 'wrong', homepage })
  expect((await api<any>(req, 'tenant', 'VerifyApp', good.id)).ok).toBe(true)
  await api<any>(req, 'tenant', 'VerifyApp', bad.id).catch(() => null)
  // The probe's outcome is kept on the app; the wrong secret's too.
  const probe = await api<any>(req, 'tenant', 'ProbeApp', good.id)
  expect(probe.permissions.every((p: any) => p.status === 'granted')).toBe(true)
  await api<any>(req, 'tenant', 'ProbeApp', bad.id).catch(() => null)

  const ss = await api<any>(req, 'syncer', 'GetSettings', corp.id)
  await api(req, 'syncer', 'SaveSettings', { ...ss, corpId: corp.id, appId: good.id })
  await api(req, 'syncer', 'StartFromWeLink', corp.id)
  let run: any
  await expect(async () => {
    run = (await api<any>(req, 'syncer', 'ListRuns', corp.id, 'welink', 0, 1)).runs?.[0]
    expect(run?.status).toBe('done')
  }).toPass({ timeout: 60_000 })
  const users: number = run.stats.users
  expect(users).toBeGreaterThan(0)

  // One binding: zhangsan (OA id 2) to a WeLink user of the directory.
  await api(req, 'oaconfig', 'RefreshSnapshot')
  const welinkOrigin = new URL(st.effectiveWelinkBaseUrl || st.welinkBaseUrl).origin
  const wl = await (await req.get(`${welinkOrigin}/sim/users?limit=3`)).json()
  const wlUser = (Array.isArray(wl) ? wl : wl.users ?? wl.data ?? [])[0].userId as string
  await api(req, 'binding', 'BindUser', corp.id, wlUser, '2')
  const ratio = `${Math.min(100, Math.round(1000 / users) / 10)}%`

  // One OFS to-do on the public listener, so the push chart has a bar.
  const ofs = await req.post(`${publicUrl()}/rest/ofs/batchReceiveRequestInfoByJson`, {
    data: [{ syscode: 'cloudbridge', flowid: '9001', requestname: '总览 E2E 报销', workflowname: '费用报销', nodename: '部门经理审批',
      receiver: 'zhangsan', isremark: '0', creator: 'lisi', pcurl: '/workflow/request/ViewRequest.jsp?requestid=9001', receivets: '1' }],
  })
  expect((await ofs.json()).operResult).toBe('1')
  let received = 0
  await expect(async () => {
    const stats = await api<any>(req, 'relay', 'Stats', 24) // also flushes the counters to the store
    received = stats.hours.reduce((n: number, h: any) => n + h.received, 0)
    expect(received).toBeGreaterThan(0)
  }).toPass({ timeout: 30_000 })

  await page.goto(`${baseURL()}/#/dashboard`)
  await page.addStyleTag({ content: hideToasts })
  const card = page.getByTestId(`corp-health-${corp.id}`)
  await expect(card).toBeVisible()
  await expect(page.getByTestId('stat-corps')).toHaveText('1')
  await expect(page.getByTestId('stat-apps')).toHaveText('2')
  await expect(card.getByTestId('token-ok')).toBeVisible()
  await expect(card.getByTestId('token-failed')).toBeVisible()
  await expect(card.getByTestId('token-error')).not.toBeEmpty()
  const goodRow = card.getByTestId('app-health').filter({ hasText: '云桥演示应用' })
  const badRow = card.getByTestId('app-health').filter({ hasText: '错误密钥应用' })
  for (const key of ['auth', 'contacts_read', 'contacts_sync', 'todo', 'message']) {
    await expect(goodRow.getByTestId(`perm-${key}-granted`)).toBeVisible()
  }
  await expect(goodRow.getByTestId('probed-at')).toContainText('手动检测')
  await expect(badRow.getByTestId('perms-no-token')).toBeVisible()
  // The pull and the probe used the contacts APIs of this minute's window.
  await expect(goodRow.getByTestId('quota-contacts')).toContainText(/\d+\/1500\/分钟/)
  // The pull's burst fills a second (the client paces at 40/s on purpose);
  // the bar is the minute window, far from 1500.
  await expect(goodRow.getByTestId('quota-contacts')).toHaveAttribute('data-state', 'ok')
  await expect(page.getByTestId('disk-health')).toContainText('可用')
  await expect(page.getByTestId('ip-quota')).toContainText('/3000')
  await expect(card.getByTestId('sync-welink')).toContainText('完成')
  await expect(card.getByTestId('sync-welink')).toContainText(`用户 ${users}`)
  await expect(card.getByTestId('sync-oa')).toContainText('从未执行')
  await expect(card.getByTestId('bound-ratio')).toHaveText(ratio)
  await expect(page.getByTestId('push-received')).toHaveText(String(received))
  await expect(page.getByTestId('throughput-chart')).toBeVisible()

  // The public check runs on the button only, against this very listener.
  await expect(page.getByTestId('public-check-result')).toHaveCount(0)
  await page.getByTestId('public-check').click()
  await expect(page.getByTestId('public-check-result')).toContainText('可达')
  await expect(page.getByTestId('public-check-result')).toContainText(publicUrl())
  await page.waitForTimeout(300)
  await page.screenshot({ path: path.join(shotsDir, 'zh-dashboard-health.png'), fullPage: true })

  // en-US renders the same widgets.
  await page.evaluate(() => localStorage.setItem('cloudbridge.locale', 'en-US'))
  await page.reload()
  await page.addStyleTag({ content: hideToasts })
  await expect(page.getByTestId(`corp-health-${corp.id}`).getByTestId('token-ok')).toContainText('Token OK')
  await expect(page.getByTestId(`corp-health-${corp.id}`).getByTestId('probed-at').first()).toContainText('by hand')
  await expect(page.getByTestId('disk-health')).toContainText('free of')
  await page.waitForTimeout(300)
  await page.screenshot({ path: path.join(shotsDir, 'en-dashboard-health.png'), fullPage: true })
})
