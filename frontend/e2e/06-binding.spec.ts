// 用户绑定 in demo mode (WeLink emulator + e-cology emulator): refresh the OA
// users, person card bind with the OA picker, the shared auto-binding
// settings with a preview before anything is written, 关联导入 (export, a GBK
// CSV upload validated row by row with a downloadable report, apply), batch
// unbind with the typed corp name and its undo, and the binding log.
import { expect, test, type APIRequestContext, type Page } from '@playwright/test'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { baseURL, signIn } from './session'

const shotsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots')
const DEMO_CLIENT_ID = '20231101000000000000001'
const DEMO_SECRET = 'demo-secret-cloudbridge'
const hideToasts = '.n-message-container { display: none !important; }'

function tab(page: Page, name: string) {
  return page.locator('.n-tabs-tab').filter({ hasText: name })
}

async function api<T>(req: APIRequestContext, pkg: string, method: string, ...args: unknown[]): Promise<T> {
  const res = await req.post(`${baseURL()}/api/call/${pkg}/${method}`, { headers: { 'X-CloudBridge': '1' }, data: args })
  const text = await res.text()
  if (!res.ok()) throw new Error(`${pkg}.${method}: ${res.status()} ${text}`)
  return (text ? JSON.parse(text) : null) as T
}

// The CSV the test uploads in GBK, as Excel on a Chinese Windows saves it.
// Node has no GBK encoder: the few Chinese characters used are mapped here.
const GBK: Record<string, number[]> = { 账: [0xd5, 0xcb], 号: [0xba, 0xc5], 匹: [0xc6, 0xa5], 配: [0xc5, 0xe4], 值: [0xd6, 0xb5] }
function gbkCSV(rows: string[][]): Buffer {
  const out: number[] = []
  for (const ch of rows.map((r) => r.join(',')).join('\r\n') + '\r\n') {
    const code = ch.charCodeAt(0)
    if (code < 0x80) out.push(code)
    else if (GBK[ch]) out.push(...GBK[ch])
    else throw new Error(`no GBK code for ${ch}`)
  }
  return Buffer.from(out)
}

test('user binding: OA refresh, person card, rules preview, association import, batch unbind and undo, log', async ({ page }) => {
  test.setTimeout(240_000)
  await signIn(page)
  const req = page.request
  // A corp with the demo app (reused if another spec made it).
  let corpId = ''
  let corpName = ''
  for (const c of await api<any[]>(req, 'tenant', 'ListCorps')) {
    for (const a of (await api<any[]>(req, 'tenant', 'ListApps', c.id)) ?? []) {
      if (a.clientId === DEMO_CLIENT_ID) [corpId, corpName] = [c.id, c.name]
    }
  }
  if (!corpId) {
    const corp = await api<any>(req, 'tenant', 'CreateCorp', '用户绑定演示企业')
    const app = await api<any>(req, 'tenant', 'SaveApp', {
      id: '', corpId: corp.id, name: '单点登录', clientId: DEMO_CLIENT_ID, clientSecret: DEMO_SECRET,
      homepage: { kind: 'custom', entry: '', customUrl: 'https://oa.example.com/' },
    })
    const s = await api<any>(req, 'syncer', 'GetSettings', corp.id)
    await api(req, 'syncer', 'SaveSettings', { ...s, appId: app.id })
    ;[corpId, corpName] = [corp.id, corp.name]
  }
  // The local directory comes from 从WeLink同步 (the sync area).
  const ov0 = await api<any>(req, 'binding', 'Overview', corpId)
  if (ov0.users === 0) {
    await api(req, 'syncer', 'StartFromWeLink', corpId)
    await expect.poll(async () => ((await api<any[]>(req, 'syncer', 'Active', corpId)) ?? []).length, { timeout: 120_000 }).toBe(0)
  }
  // Start from no bindings so the counts below are this test's.
  const ov1 = await api<any>(req, 'binding', 'Overview', corpId)
  if (ov1.bound > 0) await api(req, 'binding', 'UnbindAll', corpId, corpName)

  await page.goto(`${baseURL()}/#/binding?corp=${corpId}&tab=users`)
  await expect(page.getByTestId('binding-view')).toBeVisible()
  await expect(page.getByTestId('binding-stats')).toBeVisible()

  // Refresh the OA users from the demo e-cology.
  await page.getByTestId('refresh-oa').click()
  await expect(page.locator('.n-message').filter({ hasText: '已刷新 OA 人员' })).toBeVisible({ timeout: 60_000 })
  await expect(page.getByTestId('stat-oa')).not.toContainText(/^\D*0$/)

  // Person card: the first person, bound to zhangsan through the picker.
  await page.getByTestId('user-link').first().click()
  const card = page.getByTestId('person-card')
  await expect(card.getByTestId('card-unbound')).toBeVisible()
  await card.getByTestId('oa-picker').click()
  await page.keyboard.type('zhangsan')
  await page.locator('.n-base-select-option').filter({ hasText: 'zhangsan' }).first().click()
  await page.waitForTimeout(200)
  await page.screenshot({ path: path.join(shotsDir, 'zh-binding-card-picker.png'), style: hideToasts })
  await card.getByTestId('card-bind').click()
  await expect(card.getByTestId('card-method')).toHaveText('手动绑定')
  await expect(card.getByTestId('card-binding')).toContainText('zhangsan')
  await page.screenshot({ path: path.join(shotsDir, 'zh-binding-card.png'), style: hideToasts })
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('stat-bound')).toContainText('1')
  await page.screenshot({ path: path.join(shotsDir, 'zh-binding-users.png'), fullPage: true, style: hideToasts })

  // The shared setting: rules, self-service; run now → preview → apply.
  await tab(page, '用户绑定设置').click()
  await expect(page.getByTestId('rule-row')).toHaveCount(4)
  await page.getByTestId('autobind-switch').click()
  await page.getByTestId('settings-save').click()
  await expect(page.locator('.n-message').filter({ hasText: '已保存' })).toBeVisible()
  const shared = await api<any>(req, 'binding', 'GetSettings', corpId)
  expect(shared.autoBind).toBe(true) // the sync screens read this same record
  await page.getByTestId('autobind-preview').click()
  const modal = page.getByTestId('autobind-modal')
  await expect(modal).toBeVisible({ timeout: 60_000 })
  await page.waitForTimeout(300)
  await page.screenshot({ path: path.join(shotsDir, 'zh-binding-autobind-preview.png'), style: hideToasts })
  const willBind = Number((await modal.getByTestId('preview-bound').textContent())?.replace(/\D/g, '') || '0')
  if (willBind > 0) {
    await modal.getByTestId('autobind-apply').click()
    await expect(page.getByTestId('apply-result')).toContainText(`已写入 ${willBind} 条绑定`)
  } else {
    await page.keyboard.press('Escape')
  }
  await page.screenshot({ path: path.join(shotsDir, 'zh-binding-settings.png'), fullPage: true, style: hideToasts })

  // 关联导入: export, then a GBK CSV with one good row and three bad ones.
  await tab(page, '关联导入').click()
  const dl = page.waitForEvent('download')
  await page.getByTestId('export-users').click()
  const exported = await dl
  expect(exported.suggestedFilename()).toMatch(/\.xlsx$/)
  const users = (await api<any>(req, 'binding', 'ListUsers', { corpId, search: '', status: 'unbound', method: '', offset: 0, limit: 3 })).items
  expect(users.length).toBeGreaterThanOrEqual(2)
  const free = (await api<any[]>(req, 'binding', 'SearchOAUsers', corpId, '', 100)).filter((u) => !u.boundTo && !u.left && u.loginId)
  const csv = gbkCSV([
    ['WeLink账号', 'OA匹配值'],
    [users[0].userId, free[0].loginId],
    [users[1].userId, 'no-such-login'],
    ['ghost@nowhere', free[1].loginId],
    [users[0].userId, free[2].loginId],
  ])
  await page.getByTestId('import-field').click()
  await page.locator('.n-base-select-option').filter({ hasText: '登录名' }).click()
  await page.getByTestId('import-file').setInputFiles({ name: '关联导入.csv', mimeType: 'text/csv', buffer: csv })
  await page.getByTestId('import-validate').click()
  const preview = page.getByTestId('import-preview')
  await expect(preview).toBeVisible({ timeout: 60_000 })
  await expect(preview).toContainText('GBK')
  await expect(page.getByTestId('import-summary')).toContainText('4 行，其中有效 0 行') // users[0] twice: both rows refused
  await expect(page.getByTestId('import-problems')).toContainText('WeLink 账号重复')
  await expect(page.getByTestId('import-problems')).toContainText('通讯录中无此用户')
  await expect(page.getByTestId('import-problems')).toContainText('OA 中无匹配的在职用户')
  await page.screenshot({ path: path.join(shotsDir, 'zh-binding-import-preview.png'), fullPage: true, style: hideToasts })
  const rep = page.waitForEvent('download')
  await page.getByTestId('import-report').click()
  expect((await rep).suggestedFilename()).toBe('关联导入-report.xlsx')

  // Fixed file: the duplicate row removed → one valid row, applied after confirmation.
  const fixed = gbkCSV([['WeLink账号', 'OA匹配值'], [users[0].userId, free[0].loginId], [users[1].userId, 'no-such-login']])
  await page.getByTestId('import-file').setInputFiles({ name: 'fixed.csv', mimeType: 'text/csv', buffer: fixed })
  await page.getByTestId('import-validate').click()
  await expect(page.getByTestId('import-summary')).toContainText('2 行，其中有效 1 行')
  await page.getByTestId('import-apply').click()
  await page.locator('.n-dialog').getByRole('button', { name: '确定' }).click()
  await expect(page.getByTestId('apply-result')).toContainText('已写入 1 条绑定')
  await page.screenshot({ path: path.join(shotsDir, 'zh-binding-import-done.png'), fullPage: true, style: hideToasts })

  // Batch unbind: the button waits for the exact corp name; then undo.
  await tab(page, '批量解绑').click()
  await page.getByTestId('unbind-confirm').locator('input').fill('wrong')
  await expect(page.getByTestId('unbind-all')).toBeDisabled()
  await page.getByTestId('unbind-confirm').locator('input').fill(corpName)
  await page.getByTestId('unbind-all').click()
  await expect(page.locator('.n-message').filter({ hasText: '快照已保存' })).toBeVisible({ timeout: 60_000 })
  await expect(page.getByTestId('stat-bound')).toContainText('0')
  await expect(page.getByTestId('snapshots')).toBeVisible()
  await page.screenshot({ path: path.join(shotsDir, 'zh-binding-unbind.png'), fullPage: true, style: hideToasts })
  await page.getByTestId('snapshot-restore').first().click()
  await page.locator('.n-dialog').getByRole('button', { name: '确定' }).click()
  await expect(page.locator('.n-message').filter({ hasText: '已恢复' })).toBeVisible({ timeout: 60_000 })
  await expect(page.getByTestId('stat-bound')).not.toContainText(/^\D*0$/)

  // The log: every change, filterable.
  await tab(page, '绑定日志').click()
  const table = page.getByTestId('audit-table')
  await expect(table).toContainText('zhangsan')
  await expect(table).toContainText('批量解绑')
  await expect(table).toContainText('撤销恢复')
  // One person's history: imported, batch-unbound, restored.
  await page.getByTestId('audit-search').locator('input').fill(users[0].userId)
  await expect(table).toContainText('关联导入')
  await expect(table.locator('tbody tr')).toHaveCount(3)
  await page.screenshot({ path: path.join(shotsDir, 'zh-binding-audit.png'), fullPage: true, style: hideToasts })
  await page.getByTestId('audit-action').click()
  await page.locator('.n-base-select-option').filter({ hasText: /^解绑$/ }).click()
  await expect(table.locator('tbody tr')).toHaveCount(1)
  await expect(table).toContainText('批量解绑')

  // English.
  await page.evaluate(() => localStorage.setItem('cloudbridge.locale', 'en-US'))
  await page.goto(`${baseURL()}/#/binding?corp=${corpId}&tab=settings`)
  await page.reload()
  await expect(page.getByTestId('binding-settings')).toBeVisible()
  await expect(page.getByTestId('binding-settings')).toContainText('Matching rules')
  await page.screenshot({ path: path.join(shotsDir, 'en-binding-settings.png'), fullPage: true, style: hideToasts })
  await page.evaluate(() => localStorage.removeItem('cloudbridge.locale'))
})
