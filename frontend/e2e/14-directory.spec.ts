// 云桥通讯录 local edits against the WeLink emulator (demo mode): in
// read-write mode a department and a person are created, changed and
// deleted (WeLink first, then the local directory), refusals show
// translated reasons; in read-only mode every edit button is disabled with
// a tooltip. Screenshots in zh-CN and en-US.
import { expect, test, type APIRequestContext, type Page } from '@playwright/test'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { api, baseURL, DEMO_CLIENT_ID, DEMO_SECRET, signIn } from './session'

const shotsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots')
const hideToasts = '.n-message-container { display: none !important; }'

async function demoCorp(req: APIRequestContext): Promise<string> {
  for (const c of await api<any[]>(req, 'tenant', 'ListCorps')) {
    for (const a of (await api<any[]>(req, 'tenant', 'ListApps', c.id)) ?? []) {
      if (a.clientId === DEMO_CLIENT_ID) return c.id
    }
  }
  const corp = await api<any>(req, 'tenant', 'CreateCorp', '通讯录演示企业')
  await api(req, 'tenant', 'SaveApp', {
    id: '', corpId: corp.id, name: '通讯录同步', clientId: DEMO_CLIENT_ID, clientSecret: DEMO_SECRET,
    homepage: { kind: 'custom', entry: '', customUrl: 'https://oa.example.com/' },
  })
  return corp.id
}

async function setMode(req: APIRequestContext, corpId: string, mode: 'readonly' | 'readwrite') {
  const st = await api<any>(req, 'syncer', 'GetSettings', corpId)
  if (!st.appId) st.appId = (await api<any[]>(req, 'tenant', 'ListApps', corpId))[0].id
  st.mode = mode
  await api(req, 'syncer', 'SaveSettings', st)
}

async function toast(page: Page, text: string | RegExp) {
  await expect(page.locator('.n-message').filter({ hasText: text }).first()).toBeVisible({ timeout: 30_000 })
}

async function confirmPop(page: Page) {
  await page.locator('.n-popconfirm__action button').last().click()
}

test('云桥通讯录: edits go to WeLink then local; read-only disables them', async ({ page }) => {
  test.setTimeout(240_000)
  await signIn(page)
  const req = page.request
  const corpId = await demoCorp(req)
  await setMode(req, corpId, 'readwrite')
  await api(req, 'syncer', 'StartFromWeLink', corpId)
  await expect.poll(async () => (await api<any>(req, 'syncer', 'DirectoryTree', corpId)).depts.length, { timeout: 120_000 }).toBeGreaterThan(0)
  await expect.poll(async () => (await api<any[]>(req, 'syncer', 'Active', corpId))?.length ?? 0, { timeout: 120_000 }).toBe(0)

  await page.goto(`${baseURL()}/#/sync?corp=${corpId}&tab=directory`)
  const tree = page.getByTestId('directory-tree')
  await expect(tree).toContainText('华南大区', { timeout: 60_000 })

  // A new department under 华南大区.
  await tree.getByText('华南大区', { exact: true }).click()
  await page.getByTestId('dept-new').click()
  await expect(page.getByTestId('dept-form')).toBeVisible()
  await page.getByTestId('dept-name').locator('input').fill('云桥测试部')
  await page.getByTestId('dept-save').click()
  await toast(page, '已保存到 WeLink 和云桥通讯录')
  await expect(tree).toContainText('云桥测试部')

  // A sibling with the same name: WeLink would refuse; the reason is shown.
  await tree.getByText('华南大区', { exact: true }).click()
  await page.getByTestId('dept-new').click()
  await page.getByTestId('dept-name').locator('input').fill('云桥测试部')
  await page.getByTestId('dept-save').click()
  await toast(page, '不允许同级部门重名')
  await page.keyboard.press('Escape')

  // A person in the new department; a bad mobile is refused first.
  await tree.getByText('云桥测试部', { exact: true }).click()
  await page.getByTestId('user-new').click()
  await expect(page.getByTestId('user-form')).toBeVisible()
  await page.getByTestId('user-name').locator('input').fill('云桥测试员')
  await page.getByTestId('user-mobile').locator('input').fill('12345')
  await page.getByTestId('user-email').locator('input').fill('tester@example.com')
  await page.getByTestId('user-save').click()
  await toast(page, '手机号“12345”无效')
  await page.getByTestId('user-mobile').locator('input').fill('139 1111 2222')
  await page.screenshot({ path: path.join(shotsDir, 'zh-directory-user-form.png'), fullPage: true, style: hideToasts })
  await page.getByTestId('user-save').click()
  await toast(page, '已保存到 WeLink 和云桥通讯录')
  const users = page.getByTestId('directory-users')
  await expect(users).toContainText('云桥测试员')
  await expect(users).toContainText('+86-13911112222')

  // Rename them.
  await users.getByTestId('user-edit').first().click()
  await expect(page.getByTestId('user-mobile').locator('input')).toBeDisabled()
  await page.getByTestId('user-name').locator('input').fill('云桥测试员乙')
  await page.getByTestId('user-save').click()
  await toast(page, '已保存到 WeLink 和云桥通讯录')
  await expect(users).toContainText('云桥测试员乙')
  await expect(page.getByTestId('user-form')).toBeHidden()
  await page.screenshot({ path: path.join(shotsDir, 'zh-directory-edited.png'), fullPage: true, style: hideToasts })

  // The audit log keeps the person as they were and as they are.
  const renamed = async () => {
    const log = await api<{ entries: { before?: { nameCn?: string }; after?: { nameCn?: string } }[] }>(req, 'audit', 'ListEntries', {
      action: 'syncer.UpdateUser', outcome: 'ok', limit: 1,
    })
    const e = log.entries[0]
    return e ? `${e.before?.nameCn} → ${e.after?.nameCn}` : ''
  }
  await expect.poll(renamed, { timeout: 10_000 }).toBe('云桥测试员 → 云桥测试员乙')

  // The department still has a member: not deleted, and the reason says so.
  await page.getByTestId('dept-delete').click()
  await confirmPop(page)
  await toast(page, '还有 1 名人员')
  await expect(tree).toContainText('云桥测试部')

  // Remove the person, then the empty department.
  await users.getByTestId('user-delete').first().click()
  await confirmPop(page)
  await toast(page, '已从 WeLink 和云桥通讯录删除')
  await expect(users).not.toContainText('云桥测试员乙')
  await tree.getByText('云桥测试部', { exact: true }).click()
  await page.getByTestId('dept-delete').click()
  await confirmPop(page)
  await toast(page, '已从 WeLink 和云桥通讯录删除')
  await expect(tree).not.toContainText('云桥测试部')

  // WeLink agrees: a fresh pull has neither of them.
  await api(req, 'syncer', 'StartFromWeLink', corpId)
  await expect.poll(async () => (await api<any[]>(req, 'syncer', 'Active', corpId))?.length ?? 0, { timeout: 120_000 }).toBe(0)
  const after = await api<any>(req, 'syncer', 'DirectoryTree', corpId)
  expect(after.depts.map((d: any) => d.name)).not.toContain('云桥测试部')
  expect((await api<any>(req, 'syncer', 'DirectoryUsers', corpId, '', '云桥测试员', 0, 10)).total).toBe(0)

  // Read-only: every edit is disabled and the tooltip says why; the backend refuses too.
  await setMode(req, corpId, 'readonly')
  await page.reload()
  await expect(tree).toContainText('华南大区', { timeout: 60_000 })
  await tree.getByText('华南大区', { exact: true }).click()
  for (const id of ['dept-new', 'dept-edit', 'dept-delete', 'user-new']) await expect(page.getByTestId(id)).toBeDisabled()
  await expect(users.getByTestId('user-edit').first()).toBeDisabled()
  await page.locator('.guard').first().hover()
  await expect(page.locator('.n-tooltip').filter({ hasText: '接口权限为只读' })).toBeVisible()
  await page.screenshot({ path: path.join(shotsDir, 'zh-directory-readonly.png'), fullPage: true, style: hideToasts })
  const res = await req.post(`${baseURL()}/api/call/syncer/CreateDept`, {
    headers: { 'X-CloudBridge': '1' },
    data: [{ corpId, parentCode: '0', name: '不该出现' }],
  })
  expect(res.ok()).toBe(false)
  expect(await res.text()).toContain('sync.read_only')

  // English.
  await page.evaluate(() => localStorage.setItem('cloudbridge.locale', 'en-US'))
  await page.reload()
  await expect(tree).toContainText('华南大区', { timeout: 60_000 })
  await expect(page.getByTestId('dept-new')).toHaveText('New department')
  await page.locator('.guard').first().hover()
  await expect(page.locator('.n-tooltip').filter({ hasText: 'read-only' })).toBeVisible()
  await page.screenshot({ path: path.join(shotsDir, 'en-directory-readonly.png'), fullPage: true, style: hideToasts })
  await setMode(req, corpId, 'readwrite')
  await page.reload()
  await expect(tree).toContainText('华南大区', { timeout: 60_000 })
  await tree.getByText('华南大区', { exact: true }).click()
  await page.getByTestId('user-new').click()
  await page.getByTestId('user-name').locator('input').fill('Test Person')
  await page.getByTestId('user-mobile').locator('input').fill('12345')
  await page.getByTestId('user-save').click()
  await toast(page, 'is not valid')
  await page.screenshot({ path: path.join(shotsDir, 'en-directory-user-form.png'), fullPage: true })
  await page.evaluate(() => localStorage.removeItem('cloudbridge.locale'))
})
