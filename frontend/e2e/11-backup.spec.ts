// Backups (issue 9 item 2) against `serve --demo`: 系统设置 → 备份 makes an
// online backup of the running store, lists it with its size, saves the
// schedule, refuses a bad time with a translated error and deletes a backup.
import { expect, test } from '@playwright/test'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { api, baseURL, signIn } from './session'

const shotsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots')
const hideToasts = '.n-message-container { display: none !important; }'

test('backups: back up now, list, schedule, delete', async ({ page }) => {
  await signIn(page)
  const req = page.request
  await api(req, 'tenant', 'CreateCorp', '备份演示企业')
  const before = await api<any>(req, 'backup', 'ListBackups')

  await page.goto(`${baseURL()}/#/system?tab=backup`)
  await expect(page.getByTestId('backup-panel')).toBeVisible()
  await expect(page.getByTestId('backup-panel')).toContainText('主密钥')
  await expect(page.getByTestId('backup-restore-cmd')).toContainText('cloudbridge restore')
  // The daily job is scheduled by default (02:30).
  await expect(page.getByTestId('backup-next')).toBeVisible()
  await page.getByTestId('backup-now').click()
  await expect(page.getByTestId('backup-list')).toContainText('cloudbridge-')
  const after = await api<any>(req, 'backup', 'ListBackups')
  expect(after.backups.length).toBe((before.backups?.length ?? 0) + 1)
  const made = after.backups[0]
  expect(made.size).toBeGreaterThan(100)

  // A bad time is refused with the catalogue message, nothing saved.
  await expect(api(req, 'backup', 'SaveBackupSettings', { enabled: true, time: '25:00', keep: 7 })).rejects.toThrow(/backup.invalid_time/)
  await page.getByTestId('backup-keep').locator('input').fill('3')
  await page.getByTestId('backup-save').click()
  await expect(async () => expect((await api<any>(req, 'backup', 'GetBackupSettings')).keep).toBe(3)).toPass({ timeout: 5_000 })

  await page.addStyleTag({ content: hideToasts })
  await page.waitForTimeout(400)
  await page.screenshot({ path: path.join(shotsDir, 'zh-backup.png'), fullPage: true })

  await page.getByTestId(`backup-delete-${made.name}`).click()
  await page.locator('.n-dialog .n-button--warning-type, .n-dialog .n-button--primary-type').last().click()
  await expect(async () => {
    const l = await api<any>(req, 'backup', 'ListBackups')
    expect(l.backups.some((b: any) => b.name === made.name)).toBe(false)
  }).toPass({ timeout: 5_000 })
})
