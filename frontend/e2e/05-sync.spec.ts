// 组织架构同步 in demo mode (WeLink emulator + e-cology emulator): interface
// settings, 从WeLink同步 into 云桥通讯录, 从OA同步 stopping on the seed's
// top-level mismatch, a top department, 模拟同步 → preview → approve, the
// run history and the linked departments' dots.
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

test('org sync: settings, WeLink pull, top-level stop, preview and approve, history, directory', async ({ page }) => {
  test.setTimeout(240_000)
  await signIn(page)
  const req = page.request
  // A corp with the demo app (reused if another spec made it).
  let corpId = ''
  for (const c of await api<any[]>(req, 'tenant', 'ListCorps')) {
    for (const a of (await api<any[]>(req, 'tenant', 'ListApps', c.id)) ?? []) {
      if (a.clientId === DEMO_CLIENT_ID) corpId = c.id
    }
  }
  if (!corpId) {
    const corp = await api<any>(req, 'tenant', 'CreateCorp', '组织同步演示企业')
    await api(req, 'tenant', 'SaveApp', {
      id: '', corpId: corp.id, name: '通讯录同步', clientId: DEMO_CLIENT_ID, clientSecret: DEMO_SECRET,
      homepage: { kind: 'custom', entry: '', customUrl: 'https://oa.example.com/' },
    })
    corpId = corp.id
  }

  // Interface settings: choose the app, read-write.
  await page.goto(`${baseURL()}/#/sync?corp=${corpId}&tab=iface`)
  await expect(page.getByTestId('sync-iface')).toBeVisible()
  await page.getByTestId('sync-app').click()
  await page.locator('.n-base-select-option').first().click()
  await expect(page.getByTestId('sync-scope')).toContainText('全员')
  await page.getByTestId('sync-mode').getByText('读写').click()
  await page.getByTestId('sync-save-iface').click()
  await page.waitForTimeout(300)
  await page.screenshot({ path: path.join(shotsDir, 'zh-sync-iface.png'), fullPage: true, style: hideToasts })

  // 从WeLink同步 → 云桥通讯录.
  await tab(page, '从WeLink同步').click()
  await page.getByTestId('run-welink').click()
  // The progress card may come and go within a second on the small demo org.
  await expect(page.getByTestId('progress-welink')).toBeHidden({ timeout: 120_000 })
  await tab(page, '云桥通讯录').click()
  const tree = page.getByTestId('directory-tree')
  await expect(tree).toContainText('华南大区', { timeout: 60_000 })
  await expect(page.getByTestId('directory-users')).toContainText('@')

  // 从OA同步 without a top department: the OA tops (演示部门, Re部门) do not
  // match WeLink's, so the run stops with the seed's message.
  await tab(page, '从OA同步').click()
  await page.getByTestId('oa-simulate').click()
  await expect(page.locator('.n-message').filter({ hasText: '顶级部门无法匹配' })).toBeVisible({ timeout: 60_000 })

  // Mount the OA tree under 制造中心 and simulate.
  await page.getByTestId('oa-top').click()
  await page.locator('.n-tree-node-content').filter({ hasText: /^制造中心$/ }).first().click()
  await page.getByTestId('oa-create-users').click()
  await page.getByTestId('oa-save').click()
  await page.waitForTimeout(300)
  await page.getByTestId('oa-simulate').click()
  const detail = page.getByTestId('run-detail')
  await expect(detail).toBeVisible({ timeout: 120_000 })
  await expect(page.getByTestId('run-status')).toContainText('待批准')
  const planTree = page.getByTestId('plan-tree')
  await expect(planTree).toContainText('演示部门')
  await expect(planTree.locator('[data-kind="create"]').first()).toBeVisible()
  await expect(page.getByTestId('plan-users')).toContainText('张三')
  await expect(page.getByTestId('run-counts')).toContainText(/新增 [1-9]/)
  await detail.scrollIntoViewIfNeeded()
  await page.screenshot({ path: path.join(shotsDir, 'zh-sync-preview.png'), fullPage: true, style: hideToasts })

  // Approve: the plan is written to WeLink.
  await page.getByTestId('apply-plan').click()
  await expect(page.getByTestId('run-status')).toContainText('完成', { timeout: 120_000 })
  await expect(page.getByTestId('run-counts')).toContainText('失败 0')

  // History lists the runs; the directory shows the linked departments.
  await tab(page, '同步记录').click()
  await expect(page.getByTestId('sync-history')).toContainText('从OA同步')
  await expect(page.getByTestId('sync-history')).toContainText('从WeLink同步')
  await page.screenshot({ path: path.join(shotsDir, 'zh-sync-history.png'), fullPage: true, style: hideToasts })
  await tab(page, '云桥通讯录').click()
  await expect(page.getByTestId('directory-tree').locator('[data-linked="1"]').first()).toBeVisible()
  await page.getByTestId('directory-tree').getByText('制造中心').click()
  await page.screenshot({ path: path.join(shotsDir, 'zh-sync-directory.png'), fullPage: true, style: hideToasts })
})
