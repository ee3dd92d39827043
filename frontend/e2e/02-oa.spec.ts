// 系统设置 → OA 连接 in demo mode: the built-in e-cology 9 emulator is the
// connection; test it, read the OA directory, and look at the screen.
import { expect, test } from '@playwright/test'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { baseURL, signIn } from './session'

const shotsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots')

test('OA connection: demo emulator, connection test, directory refresh', async ({ page }) => {
  await signIn(page)
  await page.goto(`${baseURL()}/#/system?tab=oa`)
  const panel = page.getByTestId('oa-panel')
  await expect(panel).toBeVisible()
  await expect(page.getByTestId('oa-demo')).toContainText('e-cology 9')
  await expect(page.getByTestId('oa-save')).toBeDisabled()

  await page.getByTestId('oa-test').click()
  await expect(page.getByTestId('oa-test-result')).toContainText('连接正常')
  await expect(page.getByTestId('oa-test-result')).toContainText('人员')

  await page.getByTestId('oa-refresh').click()
  await expect(page.getByTestId('oa-snapshot')).toContainText(/\d+ 名人员，\d+ 个部门/)
  await page.waitForTimeout(400)
  await page.screenshot({ path: path.join(shotsDir, 'zh-oa.png'), fullPage: true, style: '.n-message-container { display: none !important; }' })
})
