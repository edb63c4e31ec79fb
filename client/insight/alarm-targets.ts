// Which edges of the picture an alarm is about: a node's alarm pulses every
// edge touching that node; a provider's alarm pulses each egress's way to
// that provider (egress>provider pairs the daemon has counted); an alarm on
// all traffic pulses every edge.

export function alarmEdgeIds(target: string, edges: Iterable<string>, providerEdges: Iterable<string>): string[] {
  const out: string[] = [];
  if (target.startsWith('provider:')) {
    const suffix = `>${target}`;
    for (const id of providerEdges) if (id.endsWith(suffix)) out.push(id);
    return out;
  }
  for (const id of edges) {
    if (target === 'all') {
      out.push(id);
      continue;
    }
    const sep = id.indexOf('>');
    if (id.slice(0, sep) === target || id.slice(sep + 1) === target) out.push(id);
  }
  return out;
}
