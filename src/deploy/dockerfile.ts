/**
 * Just enough Dockerfile and .dockerignore reading to check podtap's image
 * recipe without Docker: instructions per stage (line continuations joined,
 * comments dropped, ARG defaults substituted in FROM), and the ignore rules
 * (last matching pattern wins, "!" re-includes, a match covers the subtree).
 */
export interface Instruction { cmd: string; args: string; line: number }
export interface Stage { name: string; from: string; steps: Instruction[] }

export function parseDockerfile(text: string): Stage[] {
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!;
    if (/^\s*(#|$)/.test(line)) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      i++;
      const next = lines[i]!;
      if (/^\s*#/.test(next)) continue;
      line = `${line.slice(0, -1).trimEnd()} ${next.trim()}`;
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (m === null) throw new Error(`Dockerfile line ${start + 1}: not an instruction: ${line}`);
    const cmd = m[1]!.toUpperCase();
    const rest = m[2]!.trim();
    if (cmd === 'ARG' && stages.length === 0) {
      const [k, v = ''] = rest.split('=');
      args.set(k!, v);
    } else if (cmd === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (f === null) throw new Error(`Dockerfile line ${start + 1}: FROM IMAGE [AS NAME]`);
      const from = f[1]!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => args.get((a ?? b)!) ?? '');
      stages.push({ name: f[2] ?? String(stages.length), from, steps: [] });
    } else {
      if (stages.length === 0) throw new Error(`Dockerfile line ${start + 1}: ${cmd} before FROM`);
      stages[stages.length - 1]!.steps.push({ cmd, args: rest, line: start + 1 });
    }
  }
  return stages;
}

/** Whether .dockerignore leaves `path` (relative, "/"-separated) out of the build context. */
export function isIgnored(dockerignore: string, path: string): boolean {
  let ignored = false;
  for (const raw of dockerignore.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    const pattern = (negate ? line.slice(1) : line).replace(/^\/+|\/+$/g, '');
    const re = new RegExp(`^${pattern.split('**').map((p) => p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/]*').replaceAll('?', '[^/]')).join('.*')}(/.*)?$`);
    if (re.test(path)) ignored = !negate;
  }
  return ignored;
}
