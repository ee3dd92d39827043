// The before/after of an audit entry as rows of changed fields. Objects are
// walked to their leaves ("rules[0].field"); arrays of plain values compare
// as a whole, so a changed list is one row.

export interface DiffRow {
  path: string
  before?: string
  after?: string
}

function isPlainArray(v: unknown[]): boolean {
  return v.every((x) => x === null || typeof x !== 'object')
}

function flatten(v: unknown, path: string, out: Map<string, string>): void {
  if (Array.isArray(v) && !isPlainArray(v)) {
    if (v.length === 0) out.set(path, '[]')
    v.forEach((x, i) => flatten(x, `${path}[${i}]`, out))
    return
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const entries = Object.entries(v as Record<string, unknown>)
    if (entries.length === 0 && path) out.set(path, '{}')
    for (const [k, x] of entries) flatten(x, path ? `${path}.${k}` : k, out)
    return
  }
  out.set(path || '.', typeof v === 'string' ? v : JSON.stringify(v))
}

/** Changed fields, in path order; undefined marks a side without the field. */
export function diffRows(before: unknown, after: unknown): DiffRow[] {
  const b = new Map<string, string>()
  const a = new Map<string, string>()
  if (before !== undefined && before !== null) flatten(before, '', b)
  if (after !== undefined && after !== null) flatten(after, '', a)
  const paths = [...new Set([...b.keys(), ...a.keys()])].sort()
  return paths.filter((p) => b.get(p) !== a.get(p)).map((p) => ({ path: p, before: b.get(p), after: a.get(p) }))
}
