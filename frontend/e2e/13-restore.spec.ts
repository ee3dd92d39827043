// Restore, master key rotation and configuration import from 系统设置 → 备份
// (issue 9, items 2 and 3) against `serve --demo`. Each of them restarts
// the server: on Linux the process re-executes itself (same pid, same
// ports, same arguments), so the server global-setup started keeps
// answering on its address; sessions live in memory, so the test signs in
// again after every restart.
import { expect, test, type Page } from '@playwright/test'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { api, baseURL, DEMO_CLIENT_ID, DEMO_SECRET, PASSWORD, signIn } from './session'

const shotsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots')
const hideToasts = '.n-message-container { display: none !important; }'

async function corpNames(page: Page): Promise<string[]> {
  return (await api<any[]>(page.request, 'tenant', 'ListCorps')).map((c) => c.name)
}

/**
 * Waits until the restarted server answers and the page has reloaded itself
 * to the sign-in screen, then signs in there as the admin would.
 */
async function afterRestart(page: Page) {
  await expect(async () => {
    const st = await (await page.request.get(`${baseURL()}/api/auth/status`)).json()
    expect(st.authenticated).toBe(false)
  }).toPass({ timeout: 60_000 })
  const pw = page.getByTestId('login-password').locator('input')
  await expect(pw).toBeVisible({ timeout: 30_000 })
  await pw.fill(PASSWORD)
  await page.getByTestId('login-submit').click()
  await expect(page.getByTestId('nav-system')).toBeVisible({ timeout: 15_000 })
}

test.describe.configure({ mode: 'serial' })

test('restore a backup from the UI: the old value is back after the restart', async ({ page }) => {
  test.setTimeout(180_000)
  await signIn(page)
  const req = page.request
  const corp = await api<any>(req, 'tenant', 'CreateCorp', '恢复演示企业')
  await api(req, 'tenant', 'SaveApp', { corpId: corp.id, name: '演示轻应用', clientId: DEMO_CLIENT_ID, clientSecret: DEMO_SECRET, homepage: { kind: 'entry', entry: 'home' } })
  const made = await api<any>(req, 'backup', 'BackupNow')
  // Changes after the backup: a rename and a new corp.
  await api(req, 'tenant', 'RenameCorp', corp.id, '改名后的企业')
  await api(req, 'tenant', 'CreateCorp', '备份之后新建的企业')
  expect(await corpNames(page)).toEqual(expect.arrayContaining(['改名后的企业', '备份之后新建的企业']))

  await page.goto(`${baseURL()}/#/system?tab=backup`)
  await page.getByTestId(`backup-restore-${made.name}`).click()
  const dialog = page.getByTestId('restore-dialog')
  await expect(dialog).toBeVisible({ timeout: 30_000 })
  await expect(dialog).toContainText(made.name)
  await expect(page.getByTestId('restore-counts')).toContainText('企业')
  await expect(dialog).toContainText('自动重启')
  await page.addStyleTag({ content: hideToasts })
  await page.waitForTimeout(300)
  await page.screenshot({ path: path.join(shotsDir, 'zh-restore-dialog.png') })

  await page.getByTestId('restore-confirm').click()
  await expect(page.getByTestId('restarting')).toBeVisible()
  await afterRestart(page)

  const names = await corpNames(page)
  expect(names).toContain('恢复演示企业')
  expect(names).not.toContain('改名后的企业')
  expect(names).not.toContain('备份之后新建的企业')
  // The restored app's secret still opens: WeLink (the emulator) gives it a token.
  const apps = await api<any[]>(req, 'tenant', 'ListApps', corp.id)
  const verified = await api<any>(req, 'tenant', 'VerifyApp', apps[0].id)
  expect(verified.ok).toBe(true)

  await page.goto(`${baseURL()}/#/`)
  const notice = page.getByTestId('maintenance-notice')
  await expect(notice).toContainText(`已从备份 ${made.name}`)
  await expect(notice).toContainText('db.before-restore-')
  await page.addStyleTag({ content: hideToasts })
  await page.screenshot({ path: path.join(shotsDir, 'zh-restore-notice.png') })
  await page.getByTestId('maintenance-notice-dismiss').click()
  await expect(notice).toHaveCount(0)
  expect((await api<any>(req, 'backup', 'GetMaintenance')).notice).toBeFalsy()
})

test('a damaged upload is refused with a translated error and nothing is staged', async ({ page }) => {
  await signIn(page)
  await page.goto(`${baseURL()}/#/system?tab=backup`)
  await page.getByTestId('backup-restore-file').setInputFiles({ name: 'cloudbridge-fake.bak', mimeType: 'application/octet-stream', buffer: Buffer.from('CBBAK\0\x01\nthis is not a backup') })
  await expect(page.locator('.n-message')).toContainText('已损坏或被篡改')
  await expect(page.getByTestId('restore-dialog')).toHaveCount(0)
  expect((await api<any>(page.request, 'backup', 'GetMaintenance')).restorePending).toBeFalsy()
})

test('rotate the master key from the UI: secrets still open after the restart', async ({ page }) => {
  test.setTimeout(180_000)
  await signIn(page)
  const req = page.request
  await page.goto(`${baseURL()}/#/system?tab=backup`)
  await expect(page.getByTestId('backup-rotate')).toContainText('主密钥轮换')
  await page.getByTestId('backup-rotate-key').click()
  await expect(page.locator('.n-dialog')).toContainText('轮换主密钥并重启？')
  await page.addStyleTag({ content: hideToasts })
  await page.waitForTimeout(300)
  await page.screenshot({ path: path.join(shotsDir, 'zh-rotate-dialog.png') })
  await page.locator('.n-dialog .n-button--warning-type').last().click()
  await expect(page.getByTestId('restarting')).toBeVisible()
  await afterRestart(page)

  const corps = await api<any[]>(req, 'tenant', 'ListCorps')
  const apps = await api<any[]>(req, 'tenant', 'ListApps', corps.find((c) => c.name === '恢复演示企业').id)
  const verified = await api<any>(req, 'tenant', 'VerifyApp', apps[0].id)
  expect(verified.ok).toBe(true)
  await page.goto(`${baseURL()}/#/`)
  await expect(page.getByTestId('maintenance-notice')).toContainText('主密钥已于')
  await page.getByTestId('maintenance-notice-dismiss').click()
})

test('export the configuration with a passphrase, change it, import it back', async ({ page }) => {
  test.setTimeout(180_000)
  await signIn(page)
  const req = page.request
  const file = await api<any>(req, 'configio', 'ExportConfig', 'correct horse battery')
  const json = Buffer.from(file.contentBase64, 'base64')
  expect(json.toString()).not.toContain(DEMO_SECRET)
  const bs = await api<any>(req, 'backup', 'GetBackupSettings')
  await api(req, 'backup', 'SaveBackupSettings', { ...bs, time: '05:45', keep: 3 })
  const corp = (await api<any[]>(req, 'tenant', 'ListCorps')).find((c) => c.name === '恢复演示企业')
  await api(req, 'tenant', 'RenameCorp', corp.id, '导出后改名')

  await page.goto(`${baseURL()}/#/system?tab=backup`)
  await page.getByTestId('config-import-file').setInputFiles({ name: file.name, mimeType: 'application/json', buffer: json })
  await page.getByTestId('config-import-pass').locator('input').fill('wrong passphrase')
  await page.getByTestId('config-import-check').click()
  await expect(page.getByTestId('config-import-error')).toContainText('口令不正确')
  await page.getByTestId('config-import-pass').locator('input').fill('correct horse battery')
  await page.getByTestId('config-import-check').click()
  const preview = page.getByTestId('config-preview')
  await expect(preview).toBeVisible({ timeout: 30_000 })
  await expect(page.getByTestId('config-preview-table')).toContainText('WeLink 企业')
  await expect(page.getByTestId('config-preview-table')).toContainText('备份计划')
  await page.addStyleTag({ content: hideToasts })
  await page.waitForTimeout(300)
  await page.screenshot({ path: path.join(shotsDir, 'zh-config-import.png') })
  await page.getByTestId('config-apply').click()
  await afterRestart(page)

  expect((await api<any>(req, 'backup', 'GetBackupSettings')).time).toBe(bs.time)
  expect(await corpNames(page)).toContain('恢复演示企业')
})

test('the dialogs in English', async ({ page }) => {
  test.setTimeout(120_000)
  await page.addInitScript(() => localStorage.setItem('cloudbridge.locale', 'en-US'))
  await signIn(page)
  const made = await api<any>(page.request, 'backup', 'BackupNow')
  await page.goto(`${baseURL()}/#/system?tab=backup`)
  await page.addStyleTag({ content: hideToasts })
  await page.getByTestId(`backup-restore-${made.name}`).click()
  await expect(page.getByTestId('restore-dialog')).toContainText('Confirm restore', { timeout: 30_000 })
  await expect(page.getByTestId('restore-counts')).toContainText('Enterprises')
  await page.waitForTimeout(300)
  await page.screenshot({ path: path.join(shotsDir, 'en-restore-dialog.png') })
  await page.getByTestId('restore-cancel').click()
  await expect(page.getByTestId('restore-dialog')).toHaveCount(0)
  expect((await api<any>(page.request, 'backup', 'GetMaintenance')).restorePending).toBeFalsy()

  const file = await api<any>(page.request, 'configio', 'ExportConfig', '')
  await page.getByTestId('config-import-file').setInputFiles({ name: file.name, mimeType: 'application/json', buffer: Buffer.from(file.contentBase64, 'base64') })
  await expect(page.getByTestId('config-preview')).toContainText('holds no secrets', { timeout: 30_000 })
  await page.waitForTimeout(300)
  await page.screenshot({ path: path.join(shotsDir, 'en-config-import.png') })
  await page.getByTestId('config-preview-cancel').click()
  await expect(page.getByTestId('config-preview')).toHaveCount(0)
  await page.waitForTimeout(400)
  await page.screenshot({ path: path.join(shotsDir, 'en-backup-maintenance.png'), fullPage: true })

  await page.getByTestId('backup-rotate-key').click()
  const confirm = page.locator('.n-dialog')
  await expect(confirm).toContainText('Rotate the master key and restart?')
  await page.waitForTimeout(300)
  await page.screenshot({ path: path.join(shotsDir, 'en-rotate-dialog.png') })
  await confirm.getByRole('button', { name: 'Cancel' }).click()
  await expect(confirm).toHaveCount(0)
  expect((await api<any>(page.request, 'backup', 'GetMaintenance')).rotationPending).toBe(false)
})
