// Start at login (issue 9 item 1) against `serve --demo`: 系统设置 › 常规 has
// the 开机与后台运行 card; in serve mode it points at the system service
// instead of offering a switch, and the API refuses to write an autostart
// entry with a translated error.
import { expect, test } from '@playwright/test'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { api, baseURL, signIn } from './session'

const shotsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots')

test('startup card: serve mode points at cloudbridge service install', async ({ page }) => {
  await signIn(page)
  const req = page.request
  const st = await api<any>(req, 'platform', 'GetAutostart')
  expect(st.supported).toBe(false)
  expect(st.enabled).toBe(false)
  await expect(api(req, 'platform', 'SetAutostart', true)).rejects.toThrow(/platform.autostart_unsupported/)
  expect((await api<any>(req, 'platform', 'GetAutostart')).enabled).toBe(false)

  await page.goto(`${baseURL()}/#/system`)
  const card = page.getByTestId('startup-card')
  await expect(card).toBeVisible()
  await expect(card).toContainText('开机与后台运行')
  await expect(page.getByTestId('autostart-unsupported')).toContainText('cloudbridge service install')
  await expect(page.getByTestId('autostart-switch')).toHaveCount(0)
  // No tray in a browser: the card does not talk about one.
  await expect(page.getByTestId('startup-tray')).toHaveCount(0)
  await page.waitForTimeout(300)
  await page.screenshot({ path: path.join(shotsDir, 'zh-startup.png'), fullPage: true })
})
