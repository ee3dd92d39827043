// Push relay (issue 7) against `serve --demo`: a rule made in the editor
// (explicit save, unsaved-changes warning, the seed's "全部" warning), an
// OFS push and a generic JSON message on the public listener, the delivery
// log with counts, the per-message timeline, and the intake settings.
import { expect, test, type APIRequestContext, type Page } from '@playwright/test'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { api, baseURL, DEMO_CLIENT_ID, DEMO_SECRET, publicUrl, signIn, usePublicUrl } from './session'

const shotsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots')
const hideToasts = '.n-message-container { display: none !important; }'

interface Setup {
  corpId: string
  appId: string
  welinkOrigin: string
}

async function setUp(page: Page): Promise<Setup> {
  await signIn(page)
  const req = page.request
  const st = await usePublicUrl(req)
  let appId = ''
  let corpId = ''
  for (const c of await api<any[]>(req, 'tenant', 'ListCorps')) {
    for (const a of (await api<any[]>(req, 'tenant', 'ListApps', c.id)) ?? []) {
      if (a.clientId === DEMO_CLIENT_ID) {
        appId = a.id
        corpId = c.id
      }
    }
  }
  if (!appId) {
    const corp = await api<any>(req, 'tenant', 'CreateCorp', '消息推送测试企业')
    const app = await api<any>(req, 'tenant', 'SaveApp', {
      id: '', corpId: corp.id, name: '云桥演示应用', clientId: DEMO_CLIENT_ID, clientSecret: DEMO_SECRET,
      homepage: { kind: 'entry', entry: 'home', customUrl: '' },
    })
    appId = app.id
    corpId = corp.id
  }
  const welinkOrigin = new URL(st.effectiveWelinkBaseUrl || st.welinkBaseUrl).origin
  return { corpId, appId, welinkOrigin }
}

async function pushOFS(req: APIRequestContext, items: Record<string, string>[]) {
  const res = await req.post(`${publicUrl()}/rest/ofs/batchReceiveRequestInfoByJson`, { data: items })
  expect(res.ok()).toBeTruthy()
  return res.json()
}

test('push rules, intake on the public listener, delivery log and timeline', async ({ page }) => {
  const s = await setUp(page)
  const req = page.request
  await page.addStyleTag({ content: hideToasts }).catch(() => {})

  // The rule editor: "全部" shows the seed's warning; a new target is unsaved until 保存.
  await page.goto(`${baseURL()}/#/push`)
  await page.addStyleTag({ content: hideToasts })
  await expect(page.getByTestId('push')).toBeVisible()
  await page.getByTestId('new-rule').click()
  const editor = page.getByTestId('rule-editor')
  await expect(editor).toBeVisible()
  await page.getByTestId('rule-name').locator('input').fill('待办推送到 WeLink')
  await page.getByTestId('rule-source').click()
  await page.locator('.n-base-select-option', { hasText: /^全部$/ }).click()
  await expect(page.getByTestId('all-warning')).toContainText('OA 其他应用的消息')
  await page.getByTestId('rule-source').click()
  await page.locator('.n-base-select-option', { hasText: /^待办$/ }).click()
  await page.getByTestId('add-target').click()
  await expect(page.getByTestId('target-0')).toContainText('云桥演示应用')
  await expect(page.getByTestId('unsaved')).toContainText('要点击【保存】')
  await page.screenshot({ path: path.join(shotsDir, 'push-rule-editor.png') })
  await page.getByTestId('rule-save').click()
  await expect(editor).toBeHidden()
  await expect(page.getByTestId('rules-table')).toContainText('待办推送到 WeLink')
  await expect(page.getByTestId('rules-table')).toContainText('云桥演示应用')
  await page.screenshot({ path: path.join(shotsDir, 'push-rules.png'), fullPage: true })

  // A notice rule for meeting messages (through the API: the editor is covered above).
  await api(req, 'relay', 'SaveRule', {
    id: '', name: '会议通知', enabled: true, source: 'meeting',
    targets: [{ id: '', platform: 'welink', corpId: s.corpId, appId: s.appId, type: 'notice' }],
  })

  // zhangsan (OA id 2) bound to a WeLink user; the OA snapshot pulled.
  await api(req, 'oaconfig', 'RefreshSnapshot')
  const users = await (await req.get(`${s.welinkOrigin}/sim/users?limit=3`)).json()
  const list = Array.isArray(users) ? users : users.users ?? users.data ?? []
  const wlUser = list[0].userId as string
  let bound = true
  try {
    // The WeLink user must be in the local directory: sync from WeLink first.
    try {
      const ss = await api<any>(req, 'syncer', 'GetSettings', s.corpId)
      if (!ss.appId) await api(req, 'syncer', 'SaveSettings', { ...ss, corpId: s.corpId, appId: s.appId })
      await api(req, 'syncer', 'StartFromWeLink', s.corpId)
      for (let i = 0; i < 120; i++) {
        const active = await api<any[]>(req, 'syncer', 'Active', s.corpId)
        if (!active || active.length === 0 || active.every((p: any) => p.done || p.finished || p.state === 'done')) break
        await page.waitForTimeout(500)
      }
    } catch (e) {
      console.log(`sync from WeLink unavailable: ${e}`)
    }
    await api(req, 'binding', 'BindUser', s.corpId, wlUser, '2')
  } catch (e) {
    // The binding area may not be wired in this build; delivery is then
    // shown as "not bound", which the log must explain too.
    bound = false
    console.log(`BindUser unavailable, delivery shown as not bound: ${e}`)
  }

  const flow = String(Date.now())
  const ack = await pushOFS(req, [
    { syscode: 'cloudbridge', flowid: flow, requestname: `E2E 报销申请 ${flow}`, workflowname: '费用报销', nodename: '部门经理审批',
      receiver: 'zhangsan', isremark: '0', creator: 'lisi', pcurl: `/workflow/request/ViewRequest.jsp?requestid=${flow}`,
      receivets: '1' },
  ])
  expect(ack.operResult).toBe('1')
  const bad = await req.post(`${publicUrl()}/rest/ofs/batchReceiveRequestInfoByJson`, {
    data: [{ syscode: 'unknown-system', flowid: '1', requestname: 'x', workflowname: 'y', receiver: 'zhangsan', isremark: '0' }],
  })
  expect((await bad.json()).operResult).toBe('0')
  const msg = await req.post(`${publicUrl()}/relay/v1/messages`, {
    data: { syscode: 'cloudbridge', module: 'meeting', title: '周一例会', content: '9:00 三楼会议室', sender: '会议',
      mobileUrl: '/meeting/view?id=7', receivers: ['zhangsan', 'nobody-here'] },
  })
  expect(msg.status()).toBe(200)
  const badMsg = await req.post(`${publicUrl()}/relay/v1/messages`, { data: { syscode: 'cloudbridge', title: 'x', receivers: ['a'] } })
  expect(badMsg.status()).toBe(400)
  expect((await badMsg.json()).code).toBe('relay.message_invalid')

  // The log: counts, rows with reasons, live refresh.
  await page.goto(`${baseURL()}/#/push?tab=log`)
  await page.addStyleTag({ content: hideToasts })
  const table = page.getByTestId('log-table')
  await expect(table).toContainText(`E2E 报销申请 ${flow}`)
  if (bound) {
    await expect(async () => {
      await page.getByTestId('search').click()
      await expect(page.getByTestId('count-delivered')).not.toContainText(/^0/)
      await expect(table.locator('tr', { hasText: `E2E 报销申请 ${flow}` })).toContainText('已送达', { timeout: 2000 })
    }).toPass({ timeout: 30_000 })
    const todos = await (await req.get(`${s.welinkOrigin}/sim/todos`)).json().catch(() => null)
    if (todos) expect(JSON.stringify(todos)).toContain(`E2E 报销申请 ${flow}`)
  }
  await expect(table).toContainText('在 OA 通讯录快照中找不到接收人 nobody-here')
  await page.screenshot({ path: path.join(shotsDir, 'push-log.png'), fullPage: true })

  // Detail with the timeline.
  await table.locator('a', { hasText: `E2E 报销申请 ${flow}` }).click()
  const drawer = page.getByTestId('delivery-drawer')
  await expect(drawer).toBeVisible()
  await expect(page.getByTestId('timeline')).toContainText('接收')
  if (bound) await expect(page.getByTestId('timeline')).toContainText('新增待办')
  await page.screenshot({ path: path.join(shotsDir, 'push-detail.png') })
  await page.keyboard.press('Escape')

  // Filter by status.
  await page.getByTestId('count-not_bound').click()
  await expect(table).toContainText('nobody-here')
  await expect(table).not.toContainText('已送达')

  // Intake settings: addresses, the demo OA system, delivery settings.
  await page.goto(`${baseURL()}/#/push?tab=intake`)
  await page.addStyleTag({ content: hideToasts })
  await expect(page.getByTestId('ofs-base-value')).toHaveText(publicUrl())
  await expect(page.getByTestId('json-url-value')).toHaveText(`${publicUrl()}/relay/v1/messages`)
  await expect(page.getByTestId('systems-card')).toContainText('cloudbridge')
  await page.getByTestId('new-system').click()
  await page.getByTestId('system-name').locator('input').fill('重复的系统')
  await page.getByTestId('system-syscode').locator('input').fill('cloudbridge')
  await page.getByTestId('system-save').click()
  await expect(page.getByTestId('system-error')).toContainText('系统标识 cloudbridge 已被其他接入系统使用')
  await page.screenshot({ path: path.join(shotsDir, 'push-intake.png'), fullPage: true })

  // The WeLink集成 app screen tells that to-dos reach this app (the offer
  // to create a default rule appears only for apps without one).
  await page.goto(`${baseURL()}/#/welink/${s.corpId}/apps/${s.appId}`)
  await expect(page.getByTestId('default-rule-exists')).toContainText('待办推送到 WeLink')
  await api(req, 'relay', 'DeleteRule', (await api<any[]>(req, 'relay', 'ListRules')).find((r) => r.name === '待办推送到 WeLink').id)
  await page.reload()
  await expect(page.getByTestId('default-rule-offer')).toBeVisible()
  await page.screenshot({ path: path.join(shotsDir, 'push-offer.png'), fullPage: true })
  await page.getByTestId('create-default-rule').click()
  await expect(page.getByTestId('default-rule-exists')).toContainText('待办')
})
