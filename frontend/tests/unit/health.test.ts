import { describe, expect, it } from 'vitest'
import { diskState, diskUsedPercent, humanBytes, permSummary, quotaPercent, quotaState, waitedText } from '@/utils/health'

describe('dashboard health formatting', () => {
  it('colours a quota bar by how full its window is, red from 80 %', () => {
    expect(quotaState({ ratio: 0 })).toBe('ok')
    expect(quotaState({ ratio: 0.49 })).toBe('ok')
    expect(quotaState({ ratio: 0.5 })).toBe('busy')
    expect(quotaState({ ratio: 0.79 })).toBe('busy')
    expect(quotaState({ ratio: 0.8 })).toBe('near')
    expect(quotaState({ ratio: 1 })).toBe('near')
  })
  it('turns used/limit into a bounded percentage', () => {
    expect(quotaPercent({ used: 4, limit: 5 })).toBe(80)
    expect(quotaPercent({ used: 1, limit: 3 })).toBe(33.3)
    expect(quotaPercent({ used: 9, limit: 5 })).toBe(100)
    expect(quotaPercent({ used: 3, limit: 0 })).toBe(0)
  })
  it('writes waited time and sizes readably', () => {
    expect(waitedText(340)).toBe('340 ms')
    expect(waitedText(2003)).toBe('2 s')
    expect(waitedText(1250)).toBe('1.3 s')
    expect(waitedText(90_000)).toBe('1.5 min')
    expect(humanBytes(512)).toBe('512 B')
    expect(humanBytes(95 * 2 ** 20 + 7)).toBe('95 MiB')
    expect(humanBytes(3.25 * 2 ** 30)).toBe('3.3 GiB')
  })
  it('tells full, low and fine disks apart', () => {
    expect(diskState({ low: true, full: true })).toBe('full')
    expect(diskState({ low: true, full: false })).toBe('low')
    expect(diskState({ low: false, full: false })).toBe('ok')
    expect(diskUsedPercent({ free: 25, total: 100 })).toBe(75)
    expect(diskUsedPercent({ free: 0, total: 0 })).toBe(0)
  })
  it('sorts a stored probe into granted, missing and unknown', () => {
    const s = permSummary({
      at: '2026-11-25T00:00:00Z',
      by: 'schedule',
      tokenOk: true,
      probe: {
        warnings: [],
        permissions: [
          { key: 'auth', status: 'granted', endpoint: 'GET /auth/v2/userid' },
          { key: 'todo', status: 'denied', code: '501', endpoint: 'DELETE /todo/v1/deltask' },
          { key: 'message', status: 'unknown', endpoint: 'POST /messages/v1/recall' },
        ],
      },
    })
    expect(s).toEqual({ granted: ['auth'], missing: ['todo'], unknown: ['message'] })
    expect(permSummary(undefined)).toEqual({ granted: [], missing: [], unknown: [] })
    expect(permSummary({ at: '', by: 'admin', tokenOk: false })).toEqual({ granted: [], missing: [], unknown: [] })
  })
})
