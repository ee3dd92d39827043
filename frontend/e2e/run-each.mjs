// Runs every spec file in its own Playwright invocation, so each gets a
// fresh `serve --demo` (global-setup.ts) with an empty data directory: the
// area specs were written against a new installation and must not see each
// other's corps, bindings or rules. Extra arguments go to every run.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const specs = fs.readdirSync(here).filter((f) => f.endsWith('.spec.ts')).sort()
const only = process.argv.slice(2).filter((a) => a.endsWith('.spec.ts'))
const extra = process.argv.slice(2).filter((a) => !a.endsWith('.spec.ts'))
const run = only.length ? only : specs
let failed = 0
for (const spec of run) {
  console.log(`\n==> ${spec}`)
  const r = spawnSync('npx', ['playwright', 'test', path.join('e2e', path.basename(spec)), ...extra], {
    cwd: path.resolve(here, '..'),
    stdio: 'inherit',
  })
  if (r.status !== 0) failed++
}
console.log(`\ne2e: ${run.length - failed} spec files passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
