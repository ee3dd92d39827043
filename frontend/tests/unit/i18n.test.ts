import { describe, expect, it } from 'vitest'
import zhCN from '@/locales/zh-CN'
import enUS from '@/locales/en-US'
import catalogueZh from '@catalogue/zh-CN.json'
import catalogueEn from '@catalogue/en-US.json'
import { makeI18n, messages } from '@/i18n'
import { errorText } from '@/i18n/errors'
import { AppError } from '@/bridge/core'

function keys(obj: unknown, prefix = ''): string[] {
  if (obj === null || typeof obj !== 'object') return [prefix]
  return Object.entries(obj as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
}

describe('UI locales', () => {
  it('zh-CN and en-US have exactly the same keys', () => {
    const zh = keys(zhCN).sort()
    const en = keys(enUS).sort()
    expect(zh.filter((k) => !en.includes(k))).toEqual([])
    expect(en.filter((k) => !zh.includes(k))).toEqual([])
    expect(zh.length).toBeGreaterThan(100)
  })

  it('has no empty strings and the same {placeholders} in both languages', () => {
    const get = (o: unknown, k: string) => k.split('.').reduce((a, p) => (a as Record<string, unknown>)[p], o) as string
    for (const k of keys(zhCN)) {
      const zh = get(zhCN, k)
      const en = get(enUS, k)
      expect(zh, k).not.toBe('')
      expect(en, k).not.toBe('')
      const ph = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort()
      expect(ph(en), k).toEqual(ph(zh))
    }
  })

  it('does not define error texts of its own: they come from the shared catalogue', () => {
    expect('errors' in zhCN).toBe(false)
    expect(messages['zh-CN'].errors).toBe(catalogueZh.errors)
    expect(messages['en-US'].errors).toBe(catalogueEn.errors)
  })
})

describe('errorText', () => {
  const zh = makeI18n('zh-CN').global
  const en = makeI18n('en-US').global

  it('renders every catalogue code in both languages with its {params} filled in', () => {
    for (const [i18n, catalogue] of [
      [zh, catalogueZh],
      [en, catalogueEn],
    ] as const) {
      for (const code of keys(catalogue.errors)) {
        const raw = code.split('.').reduce((a, p) => (a as Record<string, unknown>)[p], catalogue.errors as unknown) as string
        const params = Object.fromEntries((raw.match(/\{(\w+)\}/g) ?? []).map((p) => [p.slice(1, -1), `<${p.slice(1, -1)}>`]))
        const text = errorText(i18n, new AppError(code, params))
        expect(text, code).not.toMatch(/\{\w+\}/)
        for (const v of Object.values(params)) expect(text, code).toContain(v)
        expect(text, code).not.toContain('errors.')
      }
    }
  })

  it('translates WeLink numeric codes and interpolates params', () => {
    expect(errorText(zh, { code: 'welink.10007' })).toBe(catalogueZh.errors.welink['10007'])
    expect(errorText(en, new AppError('admin.locked_out', { seconds: '42' }))).toBe('Too many attempts; try again in 42 s')
  })

  it('shows a known field by its label', () => {
    expect(errorText(zh, new AppError('required', { field: 'clientSecret' }))).toBe('请填写client_secret')
    expect(errorText(en, new AppError('required', { field: 'publicBaseUrl' }))).toBe('Public base URL is required')
    expect(errorText(en, new AppError('required', { field: 'somethingElse' }))).toBe('somethingElse is required')
  })

  it('falls back to a generic line that keeps the code for codes it does not know', () => {
    expect(errorText(zh, new AppError('brand.new_code'))).toBe('未知错误（brand.new_code）')
    expect(errorText(en, 'not an error object')).toBe(en.t('errors.internal'))
  })
})
