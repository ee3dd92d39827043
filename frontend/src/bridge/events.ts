// Server events: Wails runtime events in the desktop window, a Server-Sent
// Events stream (GET /api/events, each message JSON {event, data}) headless.
// The stream is read with fetch rather than EventSource so that it carries the
// X-CloudBridge header like every other request.
import { apiUrl, CSRF_HEADER, isDesktop } from './core'

export type EventCallback = (data: unknown) => void

/** Incremental parser for a text/event-stream body; yields each message's data. */
export class SSEParser {
  private buf = ''
  private data: string[] = []

  feed(chunk: string): string[] {
    this.buf += chunk
    const out: string[] = []
    let nl: number
    while ((nl = this.buf.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buf.slice(0, nl)
      const sepLen = this.buf.startsWith('\r\n', nl) ? 2 : 1
      this.buf = this.buf.slice(nl + sepLen)
      if (line === '') {
        if (this.data.length > 0) out.push(this.data.join('\n'))
        this.data = []
      } else if (line.startsWith('data:')) {
        this.data.push(line.slice(5).replace(/^ /, ''))
      }
      // "event:", "id:", "retry:" and ":" comments are not used by CloudBridge.
    }
    return out
  }
}

const listeners = new Map<string, Set<EventCallback>>()
let stream: AbortController | null = null

function dispatch(raw: string): void {
  let msg: { event?: string; data?: unknown }
  try {
    msg = JSON.parse(raw)
  } catch {
    return
  }
  if (!msg || typeof msg.event !== 'string') return
  for (const cb of listeners.get(msg.event) ?? []) cb(msg.data)
}

async function runStream(ctrl: AbortController): Promise<void> {
  let backoff = 1000
  while (!ctrl.signal.aborted) {
    try {
      const res = await fetch(apiUrl('/api/events'), {
        headers: { [CSRF_HEADER]: '1', Accept: 'text/event-stream' },
        credentials: 'same-origin',
        signal: ctrl.signal,
      })
      if (res.ok && res.body) {
        backoff = 1000
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
        const parser = new SSEParser()
        for (;;) {
          const { value, done } = await reader.read()
          if (done) break
          for (const data of parser.feed(value)) dispatch(data)
        }
      }
    } catch {
      if (ctrl.signal.aborted) return
    }
    await new Promise((r) => setTimeout(r, backoff))
    backoff = Math.min(backoff * 2, 15000)
  }
}

function anyListeners(): boolean {
  for (const set of listeners.values()) if (set.size > 0) return true
  return false
}

/** Subscribes to a server event; returns the unsubscribe function. */
export function on(event: string, cb: EventCallback): () => void {
  if (isDesktop()) {
    const off = window.runtime?.EventsOn?.(event, (...data: unknown[]) => cb(data[0]))
    return () => off?.()
  }
  let set = listeners.get(event)
  if (!set) listeners.set(event, (set = new Set()))
  set.add(cb)
  if (!stream) {
    stream = new AbortController()
    void runStream(stream)
  }
  return () => {
    set.delete(cb)
    if (!anyListeners() && stream) {
      stream.abort()
      stream = null
    }
  }
}
