// Audit log (issue 9 item 3) against `serve --demo`: a setting changed in
// 系统设置 shows up in 系统设置 → 审计日志 with who, when and its before/after;
// a refused call is there with its error; the filters narrow the table; the
// export downloads a workbook with the same rows; and the tab reads right
// in English.
import { expect, test, type Page } from '@playwright/test'
import fs from 'node:fs'
import path from 'node:path'
import { inflateRawSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { api, baseURL, signIn } from './session'

const shotsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots')
const hideToasts = '.n-message-container { display: none !important; }'
const NEW_URL = 'https://sso-audit.example.com'

/** The text of every XML part of an .xlsx (a zip), via its central directory. */
function xlsxText(buf: Buffer): string {
  let out = ''
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  let p = buf.readUInt32LE(eocd + 16)
  const n = buf.readUInt16LE(eocd + 10)
  for (let i = 0; i < n; i++) {
    const method = buf.readUInt16LE(p + 10)
    const size = buf.readUInt32LE(p + 20)
    const nameLen = buf.readUInt16LE(p + 28)
    const extraLen = buf.readUInt16LE(p + 30)
    const commentLen = buf.readUInt16LE(p + 32)
    const local = buf.readUInt32LE(p + 42)
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen)
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28)
    const data = buf.subarray(start, start + size)
    if (name.endsWith('.xml')) out += (method === 8 ? inflateRawSync(data) : data).toString('utf8')
    p += 46 + nameLen + extraLen + commentLen
  }
  return out
}

async function rowOf(page: Page, text: string) {
  return page.getByTestId('audit-table').locator('tbody tr').filter({ hasText: text }).first()
}

test('audit log: a settings change with before/after, filters, export, English', async ({ page }) => {
  await signIn(page)
  const req = page.request
  const old = await api<any>(req, 'system', 'GetSettings')

  // Change a setting the way an admin does: in the 常规 tab.
  await page.goto(`${baseURL()}/#/system`)
  await page.getByTestId('set-public-base-url').locator('input').fill(NEW_URL)
  await page.getByTestId('settings-save').click()
  await expect(async () => expect((await api<any>(req, 'system', 'GetSettings')).publicBaseUrl).toBe(NEW_URL)).toPass({ timeout: 5_000 })
  // A refused change is recorded too.
  await expect(api(req, 'tenant', 'CreateCorp', '')).rejects.toThrow(/required/)

  await page.goto(`${baseURL()}/#/system?tab=audit`)
  const table = page.getByTestId('audit-table')
  await expect(table).toContainText('保存系统设置')
  await expect(table).toContainText('新建 WeLink 企业')
  // signIn set the password up (a fresh server) or signed in.
  await expect(table).toContainText(/设置管理员密码|管理员登录/)
  await expect(table).toContainText('admin · 127.0.0.1')
  await expect(table).toContainText('请填写')

  // The settings row expands to its before/after.
  const saved = await rowOf(page, '保存系统设置')
  await saved.locator('.n-data-table-expand-trigger').click()
  const diff = page.getByTestId('audit-diff-publicBaseUrl')
  await expect(diff).toContainText(NEW_URL)
  if (old.publicBaseUrl) await expect(diff).toContainText(old.publicBaseUrl)
  await expect(page.getByTestId('audit-diff')).not.toContainText('publicListen') // unchanged fields are not listed
  await page.waitForTimeout(300)
  await page.screenshot({ path: path.join(shotsDir, 'zh-audit.png'), fullPage: true, style: hideToasts })

  // Time range shortcut: today holds everything this spec did.
  await page.getByTestId('audit-range').click()
  await page.locator('.n-date-panel-actions .n-button').filter({ hasText: '今天' }).click()
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('audit-range').locator('input').first()).not.toHaveValue('')
  await page.getByTestId('audit-search').click()
  await expect(table).toContainText('保存系统设置')
  await page.getByTestId('audit-reset').click()

  // Filters: failures only, then one action.
  await page.getByTestId('audit-outcome').click()
  await page.locator('.n-base-select-option').filter({ hasText: '失败' }).click()
  await page.getByTestId('audit-search').click()
  await expect(table).toContainText('新建 WeLink 企业')
  await expect(table).not.toContainText('保存系统设置')
  await page.getByTestId('audit-reset').click()
  // The action list is long (and virtual): type to narrow it.
  await page.getByTestId('audit-action-filter').click()
  await page.keyboard.insertText('保存系统设置')
  await page.locator('.n-base-select-option').filter({ hasText: '保存系统设置' }).first().click()
  await page.getByTestId('audit-search').click()
  await expect(table).toContainText('保存系统设置')
  await expect(table).not.toContainText('新建 WeLink 企业')
  await expect(table.getByTestId('audit-action')).toHaveCount(1)

  // Export what the table shows.
  const dl = page.waitForEvent('download')
  await page.getByTestId('audit-export').click()
  const file = await dl
  expect(file.suggestedFilename()).toMatch(/^audit-log-.*\.xlsx$/)
  const text = xlsxText(fs.readFileSync(await file.path()))
  expect(text).toContain('保存系统设置')
  expect(text).toContain('publicBaseUrl')
  expect(text).toContain(NEW_URL)
  expect(text).not.toContain('新建 WeLink 企业') // filtered out

  // The export is itself recorded.
  await page.getByTestId('audit-reset').click()
  await expect(table).toContainText('导出审计日志')

  // English.
  await page.evaluate(() => localStorage.setItem('cloudbridge.locale', 'en-US'))
  await page.reload()
  await expect(table).toContainText('Save the system settings')
  await expect(table).toContainText('Create a WeLink enterprise')
  await expect(page.getByTestId('audit-panel')).toContainText('Export to Excel')
  await expect(page.locator('body')).not.toContainText(/\baudit(Actions)?\.(?!example\.)[a-z][A-Za-z.]+/)
  await (await rowOf(page, 'Save the system settings')).locator('.n-data-table-expand-trigger').click()
  await expect(page.getByTestId('audit-diff-publicBaseUrl')).toContainText(NEW_URL)
  await page.waitForTimeout(300)
  await page.screenshot({ path: path.join(shotsDir, 'en-audit.png'), fullPage: true, style: hideToasts })
})
