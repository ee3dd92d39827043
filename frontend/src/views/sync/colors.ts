// Seed 4.3.2.2: 橘色为匹配，紫色为新增; red for deletions, blue for changes.
export const kindColor: Record<string, string> = {
  match: '#f0a020',
  bind: '#f0a020',
  create: '#8a4fd8',
  delete: '#d03050',
  update: '#2080f0',
  move: '#2080f0',
  review: '#909399',
  skip: '#909399',
}
