// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from 'vitest'
import { forgetCorp, pickCorp, rememberCorp } from '@/utils/corpChoice'

const corps = [{ id: 'a' }, { id: 'b' }, { id: 'c' }]

describe('corp choice shared by the per-corp screens', () => {
  beforeEach(() => localStorage.clear())

  it('prefers a link, then the remembered corp, then the first', () => {
    expect(pickCorp(corps)).toBe('a')
    rememberCorp('c')
    expect(pickCorp(corps)).toBe('c')
    expect(pickCorp(corps, 'b')).toBe('b')
    expect(pickCorp(corps, undefined, 'b')).toBe('b')
  })

  it('ignores ids of corps that no longer exist', () => {
    rememberCorp('gone')
    expect(pickCorp(corps, 'deleted')).toBe('a')
    expect(pickCorp([])).toBeNull()
  })

  it('forgets the remembered corp', () => {
    rememberCorp('b')
    forgetCorp()
    expect(pickCorp(corps)).toBe('a')
  })
})
