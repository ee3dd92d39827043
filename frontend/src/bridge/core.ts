// The one way the UI talks to the Go services.
//
// Desktop (Wails): window.go.app.Bridge.Call(pkg, method, args), rejecting
// with {code, params}. Headless (`cloudbridge serve`): POST /api/call/{pkg}/{method}
// with the arguments as a JSON array; errors come back as non-2xx {code, params}.

export type Params = Record<string, string>

/** An error from the catalogue in backend/core: stable code + parameters. */
export class AppError extends Error {
  readonly code: string
  readonly params: Params
  /** HTTP status in headless mode (0 in desktop mode or when unknown). */
  readonly status: number

  constructor(code: string, params: Params = {}, status = 0) {
    super(code)
    this.name = 'AppError'
    this.code = code
    this.params = params
    this.status = status
  }
}

/** Shape of an error as the Go side serialises it. */
export interface ErrorPayload {
  code: string
  params?: Params
}

export function isDesktop(): boolean {
  return typeof window !== 'undefined' && window.go !== undefined
}

function stringParams(raw: unknown): Params {
  const out: Params = {}
  if (raw && typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
      out[k] = v == null ? '' : String(v)
    }
  }
  return out
}

/**
 * Turns whatever a transport rejected with into an AppError. Anything that
 * is not a catalogue error becomes "internal" (the detail stays in the Go log).
 */
export function toAppError(raw: unknown, status = 0): AppError {
  if (raw instanceof AppError) return raw
  if (raw && typeof raw === 'object' && typeof (raw as ErrorPayload).code === 'string') {
    const p = raw as ErrorPayload
    return new AppError(p.code, stringParams(p.params), status)
  }
  if (typeof raw === 'string') {
    // Wails without an error formatter hands over the message text; accept a
    // JSON-encoded payload too.
    try {
      const parsed: unknown = JSON.parse(raw)
      if (parsed && typeof parsed === 'object' && typeof (parsed as ErrorPayload).code === 'string') {
        return toAppError(parsed, status)
      }
    } catch {
      /* not JSON */
    }
  }
  return new AppError('internal', {}, status)
}

/** Header that the headless admin server requires on every request (CSRF guard). */
export const CSRF_HEADER = 'X-CloudBridge'

let apiBase = ''
/** Prefix for headless requests; '' (same origin) in the app, a URL in tests. */
export function setApiBase(base: string): void {
  apiBase = base.replace(/\/$/, '')
}
export function apiUrl(path: string): string {
  return apiBase + path
}

type UnauthorizedHandler = (code: 'unauthenticated' | 'admin.setup_required') => void
let unauthorizedHandler: UnauthorizedHandler | null = null
/** Called when the headless server says the session is gone (401). */
export function onUnauthorized(handler: UnauthorizedHandler | null): void {
  unauthorizedHandler = handler
}

/** fetch against the headless admin server with the CSRF header and JSON error handling. */
export async function httpJSON<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  let res: Response
  try {
    res = await fetch(apiUrl(path), {
      method: init.method ?? 'GET',
      credentials: 'same-origin',
      headers: {
        [CSRF_HEADER]: '1',
        Accept: 'application/json',
        ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    })
  } catch {
    // The admin server is not reachable (stopped, restarting).
    throw new AppError('unavailable')
  }
  const text = await res.text()
  let payload: unknown = undefined
  if (text !== '') {
    try {
      payload = JSON.parse(text)
    } catch {
      payload = undefined
    }
  }
  if (!res.ok) {
    const err = toAppError(payload, res.status)
    if (res.status === 401 && (err.code === 'unauthenticated' || err.code === 'admin.setup_required')) {
      unauthorizedHandler?.(err.code)
    }
    throw err
  }
  return payload as T
}

/**
 * Calls a bound Go service method in whichever transport this UI runs in.
 * Both go through the Go side's one dispatcher (which records every change in
 * the audit log): the window binds a single Bridge, the browser POSTs.
 */
export async function call<T>(pkg: string, method: string, ...args: unknown[]): Promise<T> {
  if (isDesktop()) {
    const bridge = window.go?.app?.Bridge?.Call
    if (typeof bridge !== 'function') throw new AppError('unavailable')
    try {
      // undefined is not JSON: the Go side would see a missing argument.
      return (await bridge(pkg, method, args.map((a) => (a === undefined ? null : a)))) as T
    } catch (e) {
      throw toAppError(e)
    }
  }
  return httpJSON<T>(`/api/call/${encodeURIComponent(pkg)}/${encodeURIComponent(method)}`, {
    method: 'POST',
    body: args,
  })
}
