// The admin console end to end against `cloudbridge serve --demo`
// (started by global-setup.ts): first-run password, sign-in, a corp, an app
// with a bad and then a good secret, homepage URL copy, diagnostics, logs,
// language switch, and screenshots of every main screen in both languages.
import { expect, test, type Page } from '@playwright/test'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const shotsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots')
const base = () => {
  const url = process.env.CLOUDBRIDGE_E2E_URL
  if (!url) throw new Error('global setup did not start cloudbridge')
  return url
}
const publicUrl = () => process.env.CLOUDBRIDGE_E2E_PUBLIC_URL!

const PASSWORD = 'bridge-admin-2025'
const DEMO_CLIENT_ID = '20231101000000000000001'
const DEMO_SECRET = 'demo-secret-cloudbridge'
const CORP = '华为演示企业'

async function shot(page: Page, lang: 'zh' | 'en', name: string) {
  // Let toasts and transitions settle so the picture shows the screen itself.
  await page.waitForTimeout(400)
  await page.screenshot({
    path: path.join(shotsDir, `${lang}-${name}.png`),
    fullPage: true,
    style: '.n-message-container { display: none !important; }',
  })
}

async function chooseOption(page: Page, selectTestId: string, label: string) {
  await page.getByTestId(selectTestId).click()
  await page.locator('.n-base-select-option', { hasText: label }).first().click()
}

const field = (page: Page, testid: string) => page.getByTestId(testid).locator('input')

async function go(page: Page, hash: string) {
  // Let the router finish the navigation it is in (a page is shown), or it may win the race.
  await page.locator('.page, .auth-page').first().waitFor()
  await page.goto(`${base()}/#${hash}`)
  const path = hash.split('?')[0]
  await expect(page).toHaveURL((url) => url.hash.startsWith('#' + path))
}

test('admin console: setup, corps, apps, verify, copy, diagnostics, languages', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base() })

  await test.step('first run asks for the admin password (with confirmation)', async () => {
    await page.goto(base() + '/')
    await expect(page).toHaveURL(/#\/setup/)
    await expect(page.getByText('首次使用：设置管理员密码')).toBeVisible()
    await shot(page, 'zh', 'setup')
    await chooseOption(page, 'language-select', 'English')
    await expect(page.getByText('First run: set the administrator password')).toBeVisible()
    await shot(page, 'en', 'setup')
    await chooseOption(page, 'language-select', '简体中文')

    await field(page, 'setup-password').fill(PASSWORD)
    await field(page, 'setup-confirm').fill(PASSWORD + 'x')
    await page.getByTestId('setup-submit').click()
    await expect(page.getByTestId('setup-error')).toHaveText('两次输入的密码不一致')
    await field(page, 'setup-confirm').fill(PASSWORD)
    await page.getByTestId('setup-submit').click()
    await expect(page).toHaveURL(/#\/dashboard/)
    await expect(page.getByTestId('stat-corps')).toHaveText('0')
    await shot(page, 'zh', 'dashboard-empty')
  })

  await test.step('sign out, a wrong password is refused, sign in again', async () => {
    await page.getByTestId('logout').click()
    await expect(page).toHaveURL(/#\/login/)
    await field(page, 'login-password').fill('not-the-password')
    await page.getByTestId('login-submit').click()
    await expect(page.getByTestId('login-error')).toHaveText('密码错误')
    await shot(page, 'zh', 'login')
    await field(page, 'login-password').fill(PASSWORD)
    await page.getByTestId('login-submit').click()
    await expect(page).toHaveURL(/#\/dashboard/)
  })

  await test.step('settings: public base URL and an OA entry point', async () => {
    await go(page, '/system')
    await field(page, 'set-public-base-url').fill(publicUrl())
    await page.getByTestId('settings-save').click()
    await expect(page.getByText('已保存')).toBeVisible()
    await expect(page.getByTestId('listener-card')).toContainText('运行中')
    await shot(page, 'zh', 'system-general')

    await page.locator('.n-tabs-tab', { hasText: 'OA 入口' }).click()
    await expect(page).toHaveURL(/tab=entries/)
    if ((await page.getByTestId('entry-row').count()) === 0) {
      await page.getByRole('button', { name: '添加入口' }).click()
      const row = page.getByTestId('entry-row').first().locator('input')
      await row.nth(0).fill('home')
      await row.nth(1).fill('OA 首页')
      await row.nth(2).fill('http://127.0.0.1:8080/wui/index.html')
      await page.getByRole('button', { name: '保存' }).click()
      await expect(page.getByText('已保存')).toBeVisible()
    }
    await expect(page.getByTestId('entry-row').first()).toBeVisible()
    await shot(page, 'zh', 'system-entries')
  })

  await test.step('create a WeLink corp from the dropdown\'s “+新建Welink”', async () => {
    await go(page, '/welink')
    await expect(page.getByText('还没有 WeLink 企业').first()).toBeVisible()
    await shot(page, 'zh', 'welink-empty')
    await page.getByTestId('corp-select').click()
    await page.getByTestId('new-corp').click()
    await expect(page.getByText('Welink配置')).toBeVisible()
    await page.getByTestId('corp-save').click()
    await expect(page.getByTestId('corp-error')).toHaveText('请输入 WeLink 企业名称')
    await field(page, 'corp-name').fill(CORP)
    await shot(page, 'zh', 'welink-corp-drawer')
    await page.getByTestId('corp-save').click()
    await expect(page.getByText(`已新建 WeLink 企业“${CORP}”`)).toBeVisible()
    await expect(page.getByTestId('corp-select')).toContainText(CORP)
    await expect(page.getByText('该企业还没有应用')).toBeVisible()
  })

  await test.step('add an app with a wrong secret: verify shows the translated 10007', async () => {
    await page.getByTestId('add-app').click()
    await expect(page).toHaveURL(/#\/welink\/[^/]+\/apps\/new/)
    await field(page, 'app-name').fill('OA 移动办公')
    await field(page, 'app-client-id').fill(DEMO_CLIENT_ID)
    await field(page, 'app-client-secret').fill('wrong-secret')
    await shot(page, 'zh', 'app-new')
    await page.getByTestId('app-save').click()
    await expect(page.getByText('已添加应用')).toBeVisible()
    await expect(page).toHaveURL(/#\/welink\/[^/]+\/apps\/(?!new)[^/]+$/)
    await expect(page.getByTestId('secret-state')).toHaveText('已设置')
    await expect(field(page, 'app-client-secret')).toHaveValue('')

    await page.getByTestId('verify').click()
    await expect(page.getByTestId('verify-error')).toHaveText('client_id 或 client_secret 错误（10007）')
    await shot(page, 'zh', 'app-verify-failed')
  })

  await test.step('replace the secret with the right one: verify passes', async () => {
    await field(page, 'app-client-secret').fill(DEMO_SECRET)
    await page.getByTestId('verify').click() // saves the changed secret first
    await expect(page.getByTestId('verify-result')).toContainText('验证通过')
    await expect(field(page, 'app-client-secret')).toHaveValue('')
  })

  await test.step('copy the mobile homepage URL', async () => {
    const value = (await page.getByTestId('url-mobile-value').textContent()) ?? ''
    expect(value.startsWith(publicUrl())).toBe(true)
    await page.getByTestId('url-mobile-copy').click()
    await expect(page.getByText('已复制到剪贴板')).toBeVisible()
    const clip = await page.evaluate(() => navigator.clipboard.readText())
    expect(clip).toBe(value)
  })

  await test.step('permission probe lists every permission', async () => {
    await page.getByTestId('probe').click()
    await expect(page.getByTestId('probe').locator('.n-base-loading')).toHaveCount(0)
    await expect(page.getByTestId('probe-table').locator('tbody tr')).toHaveCount(5)
    await shot(page, 'zh', 'app-detail')
    // The narrowest supported window.
    await page.setViewportSize({ width: 1024, height: 768 })
    await expect(page.getByTestId('url-pc-copy')).toBeVisible()
    await shot(page, 'zh', 'app-detail-1024')
    await page.setViewportSize({ width: 1366, height: 860 })
  })

  await test.step('the corp list shows the app with its verify state', async () => {
    await go(page, '/welink')
    await expect(page.getByTestId('apps-table')).toContainText('OA 移动办公')
    await expect(page.getByTestId('apps-table')).toContainText('通过')
    await shot(page, 'zh', 'welink')
  })

  await test.step('network diagnostics', async () => {
    await go(page, '/system?tab=diagnostics')
    await expect(page.getByTestId('network-note')).toContainText('open.welink.huaweicloud.com')
    await page.getByTestId('run-diagnostics').click()
    await expect(page.getByTestId('diag-verdict')).toBeVisible({ timeout: 60_000 })
    expect(await page.getByTestId('diag-steps').locator('.n-timeline-item').count()).toBeGreaterThan(0)
    await expect(page.getByTestId('diag-public')).toBeVisible()
    await shot(page, 'zh', 'system-diagnostics')
  })

  await test.step('dashboard, logs and the sync area', async () => {
    await go(page, '/dashboard')
    await expect(page.getByTestId('stat-corps')).toHaveText('1')
    await expect(page.getByTestId('stat-apps')).toHaveText('1')
    await shot(page, 'zh', 'dashboard')
    await go(page, '/logs')
    await expect(page.getByTestId('logs-table').locator('tbody tr').first()).toBeVisible()
    await shot(page, 'zh', 'logs')
    await go(page, '/sync')
    await expect(page.getByRole('heading', { name: '组织架构同步' })).toBeVisible()
  })

  await test.step('switch to English; the choice survives a reload', async () => {
    await go(page, '/dashboard')
    await chooseOption(page, 'language-select', 'English')
    await expect(page.getByTestId('nav-welink')).toHaveText('WeLink integration')
    await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
    await page.reload()
    await expect(page.getByTestId('nav-system')).toHaveText('Settings')
    await shot(page, 'en', 'dashboard')

    await go(page, '/welink')
    await expect(page.getByRole('button', { name: 'Add app' })).toBeVisible()
    await shot(page, 'en', 'welink')
    await page.getByTestId('apps-table').getByText('OA 移动办公').click()
    await expect(page.getByText('Homepage URLs', { exact: true })).toBeVisible()
    await page.getByTestId('verify').click()
    await expect(page.getByTestId('verify-result')).toContainText('Verification passed')
    await shot(page, 'en', 'app-detail')
    await go(page, '/system')
    await expect(page.getByText('Public base URL').first()).toBeVisible()
    await shot(page, 'en', 'system-general')
    await go(page, '/system?tab=diagnostics')
    await page.getByTestId('run-diagnostics').click()
    await expect(page.getByTestId('diag-verdict')).toBeVisible({ timeout: 60_000 })
    await shot(page, 'en', 'system-diagnostics')
    await go(page, '/logs')
    await expect(page.getByRole('heading', { name: 'Logs' })).toBeVisible()
    await shot(page, 'en', 'logs')
    await go(page, '/push')
    await expect(page.getByText('Push OA to-dos and messages to WeLink by rules')).toBeVisible()
    await shot(page, 'en', 'push')
  })

  await test.step('deleting a corp that has an app lists it and needs the name typed', async () => {
    await go(page, '/welink')
    await page.getByTestId('corp-menu').click()
    await page.locator('.n-dropdown-option', { hasText: 'Delete enterprise' }).click()
    const dialog = page.getByTestId('cascade-dialog')
    await expect(dialog.getByTestId('cascade-list')).toContainText('OA 移动办公')
    await expect(dialog.getByTestId('cascade-confirm')).toBeDisabled()
    await field(page, 'cascade-name').fill(CORP)
    await shot(page, 'en', 'welink-delete-corp')
    await dialog.getByTestId('cascade-confirm').click()
    await expect(dialog).toBeHidden()
    await expect(page.getByText('No WeLink enterprise yet').first()).toBeVisible()
  })

  await test.step('sign out (English sign-in page)', async () => {
    await page.getByTestId('logout').click()
    await expect(page.getByText('Administrator sign-in')).toBeVisible()
    await shot(page, 'en', 'login')
  })
})
