// The screens added after the first console spec, in English (en-US is the
// product's second language): each renders its own English title and no
// raw i18n key, and a screenshot is kept for a person to look at.
import { expect, test } from '@playwright/test'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { baseURL, signIn } from './session'

const shotsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots')

const screens = [
  { hash: '/system?tab=oa', name: 'oa', text: 'OA connection' },
  { hash: '/system?tab=backup', name: 'backup', text: 'Backup' },
  { hash: '/sync', name: 'sync', text: 'Org sync' },
  { hash: '/binding', name: 'binding', text: 'User binding' },
  { hash: '/push?tab=rules', name: 'push-rules', text: 'Push' },
  { hash: '/qrlogin', name: 'qrlogin', text: 'QR' },
]

test('English screens: OA connection, backup, sync, binding, push, QR login', async ({ page }) => {
  await signIn(page)
  await page.addInitScript(() => localStorage.setItem('cloudbridge.locale', 'en-US'))
  for (const s of screens) {
    await page.goto(`${baseURL()}/#${s.hash}`)
    await expect(page.locator('.page').first()).toBeVisible()
    await expect(page.locator('body')).toContainText(s.text)
    // A missing translation shows as its key ("area.section.name"); host
    // names in the hints (oa.example.com) are not keys.
    await expect(page.locator('body')).not.toContainText(/\b(?:oa|sync|binding|push|qr|backup|health)\.(?!example\.)[a-z][A-Za-z]+\.[a-z][A-Za-z]+\b/)
    await page.waitForTimeout(400)
    await page.screenshot({ path: path.join(shotsDir, `en-${s.name}.png`), fullPage: true, style: '.n-message-container { display: none !important; }' })
  }
})
