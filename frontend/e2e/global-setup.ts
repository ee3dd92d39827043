// Starts a real CloudBridge for the end-to-end test: builds the frontend
// (the Go binary embeds frontend/dist), builds the Go binary from the repo
// root (or takes a prebuilt one from CLOUDBRIDGE_BIN), runs
// `serve --demo` on free loopback ports with a fresh data dir, and waits for
// /api/auth/status. Returns the teardown.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const frontendDir = path.resolve(here, '..')
const repoRoot = path.resolve(frontendDir, '..')

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port
      srv.close(() => resolve(port))
    })
  })
}

async function waitForStatus(url: string, proc: ChildProcess, logFile: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) break
    try {
      const res = await fetch(`${url}/api/auth/status`, { headers: { 'X-CloudBridge': '1' } })
      if (res.ok) return
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-4000) : ''
  throw new Error(`cloudbridge did not answer ${url}/api/auth/status (exit code ${proc.exitCode}).\n${log}`)
}

export default async function globalSetup() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudbridge-e2e-'))
  let bin = process.env.CLOUDBRIDGE_BIN
  if (!bin) {
    if (process.env.CLOUDBRIDGE_E2E_SKIP_BUILD !== '1') {
      execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: frontendDir, stdio: 'inherit' })
    }
    bin = path.join(tmp, 'cloudbridge')
    execFileSync('go', ['build', '-o', bin, '.'], { cwd: repoRoot, stdio: 'inherit' })
  }

  const adminPort = await freePort()
  const publicPort = await freePort()
  const dataDir = path.join(tmp, 'data')
  const logFile = path.join(tmp, 'server.log')
  const out = fs.openSync(logFile, 'a')
  const proc = spawn(
    bin,
    ['serve', '--demo', '--data', dataDir, '--admin-addr', `127.0.0.1:${adminPort}`, '--public-addr', `127.0.0.1:${publicPort}`],
    { cwd: repoRoot, stdio: ['ignore', out, out], env: { ...process.env } },
  )
  const adminUrl = `http://127.0.0.1:${adminPort}`
  await waitForStatus(adminUrl, proc, logFile, 120_000)

  process.env.CLOUDBRIDGE_E2E_URL = adminUrl
  process.env.CLOUDBRIDGE_E2E_PUBLIC_URL = `http://127.0.0.1:${publicPort}`
  process.env.CLOUDBRIDGE_E2E_LOG = logFile

  return async () => {
    if (proc.exitCode === null) {
      proc.kill('SIGTERM')
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          proc.kill('SIGKILL')
          resolve()
        }, 10_000)
        proc.once('exit', () => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
    fs.closeSync(out)
    if (process.env.CLOUDBRIDGE_E2E_KEEP !== '1') fs.rmSync(tmp, { recursive: true, force: true })
  }
}
