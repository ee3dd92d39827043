// A tiny stand-in for the headless admin server, for unit tests of the HTTP
// transport only (never shipped). It speaks the contract: POST
// /api/call/{pkg}/{method} with a JSON array body, X-CloudBridge header
// required, errors as non-2xx {code, params}; /api/auth/*; /api/events SSE.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Recorded {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: string
}

type Handler = (args: unknown[]) => { status?: number; body: unknown; raw?: boolean }

export interface MockServer {
  url: string
  requests: Recorded[]
  handle(pkg: string, method: string, h: Handler): void
  /** Sends one SSE message to every open /api/events stream. */
  emit(event: string, data: unknown): void
  streams(): number
  close(): Promise<void>
}

export async function startMockServer(): Promise<MockServer> {
  const handlers = new Map<string, Handler>()
  const requests: Recorded[] = []
  const sse = new Set<http.ServerResponse>()
  const auth = { passwordSet: false, authenticated: false, password: '' }

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' })
    res.end(body === undefined ? '' : JSON.stringify(body))
  }

  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      if (req.headers['x-cloudbridge'] !== '1') return send(res, 403, { code: 'forbidden' })
      const url = req.url ?? ''
      if (url === '/api/events' && req.method === 'GET') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' })
        res.write(': hello\n\n')
        sse.add(res)
        res.on('close', () => sse.delete(res))
        return
      }
      if (url === '/api/auth/status') return send(res, 200, { passwordSet: auth.passwordSet, authenticated: auth.authenticated })
      if (url === '/api/auth/setup' && req.method === 'POST') {
        const { password } = JSON.parse(body)
        if (auth.passwordSet) return send(res, 409, { code: 'admin.password_already_set' })
        if (String(password).length < 10) return send(res, 400, { code: 'admin.password_weak', params: { min: '10' } })
        Object.assign(auth, { passwordSet: true, authenticated: true, password })
        return send(res, 200, {})
      }
      if (url === '/api/auth/login' && req.method === 'POST') {
        const { password } = JSON.parse(body)
        if (password !== auth.password) return send(res, 401, { code: 'admin.login_failed' })
        auth.authenticated = true
        return send(res, 200, {})
      }
      if (url === '/api/auth/logout' && req.method === 'POST') {
        auth.authenticated = false
        return send(res, 200, {})
      }
      const m = /^\/api\/call\/([^/]+)\/([^/]+)$/.exec(url)
      if (m && req.method === 'POST') {
        const h = handlers.get(`${m[1]}.${m[2]}`)
        if (!h) return send(res, 404, { code: 'unknown_method', params: { method: `${m[1]}.${m[2]}` } })
        let args: unknown[]
        try {
          args = JSON.parse(body)
        } catch {
          return send(res, 400, { code: 'bad_json' })
        }
        const out = h(args)
        if (out.raw) {
          res.writeHead(out.status ?? 200, { 'Content-Type': 'text/plain' })
          res.end(String(out.body))
          return
        }
        return send(res, out.status ?? 200, out.body)
      }
      send(res, 404, { code: 'not_found' })
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle: (pkg, method, h) => handlers.set(`${pkg}.${method}`, h),
    emit: (event, data) => {
      for (const res of sse) res.write(`data: ${JSON.stringify({ event, data })}\n\n`)
    },
    streams: () => sse.size,
    close: () =>
      new Promise<void>((r) => {
        for (const res of sse) res.end()
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
