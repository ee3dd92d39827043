import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SSEParser, on } from '@/bridge/events'
import { setApiBase } from '@/bridge/core'
import { startMockServer, type MockServer } from './mock-server'

describe('SSEParser', () => {
  it('yields one message per blank-line-terminated block, across chunk boundaries', () => {
    const p = new SSEParser()
    expect(p.feed('data: {"event":"a"')).toEqual([])
    expect(p.feed(',"data":1}\n')).toEqual([])
    expect(p.feed('\ndata: x\n\n')).toEqual(['{"event":"a","data":1}', 'x'])
  })

  it('joins multi-line data, handles CRLF and ignores comments and other fields', () => {
    const p = new SSEParser()
    expect(p.feed(': keep-alive\r\n\r\nevent: ignored\r\nid: 7\r\ndata: line1\r\ndata:line2\r\n\r\n')).toEqual(['line1\nline2'])
  })
})

describe('on() over the headless SSE stream', () => {
  let srv: MockServer
  beforeAll(async () => {
    srv = await startMockServer()
    setApiBase(srv.url)
  })
  afterAll(async () => {
    await srv.close()
  })

  const until = async (cond: () => boolean) => {
    for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 20))
    expect(cond()).toBe(true)
  }

  it('delivers events by name, sends the CSRF header and closes the stream when nobody listens', async () => {
    const got: unknown[] = []
    const other: unknown[] = []
    const off = on('sync.progress', (d) => got.push(d))
    const off2 = on('other', (d) => other.push(d))
    await until(() => srv.streams() === 1)
    expect(srv.requests.find((r) => r.url === '/api/events')?.headers['x-cloudbridge']).toBe('1')

    srv.emit('sync.progress', { done: 3, total: 10 })
    srv.emit('unrelated', 1)
    await until(() => got.length === 1)
    expect(got).toEqual([{ done: 3, total: 10 }])
    expect(other).toEqual([])

    off()
    off2()
    await until(() => srv.streams() === 0)
  })
})
