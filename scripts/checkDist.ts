/**
 * Checks the built package the way an app's bundler meets it (run after `npm run build`; part of
 * `npm run check:package`). Each failure names the file and what an app would hit.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { workerFileName, workerReference } from './libBuild.ts';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const dist = join(root, 'dist');
const failures: string[] = [];
const fail = (message: string): void => {
  failures.push(message);
};
const read = (file: string): string => readFileSync(join(dist, file), 'utf8');

function jsFiles(dir = ''): string[] {
  return readdirSync(join(dist, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = posix.join(dir, entry.name);
    if (entry.isDirectory()) return jsFiles(path);
    return entry.name.endsWith('.js') ? [path] : [];
  });
}

// Static and dynamic relative imports of a built chunk, as paths inside dist.
function relativeImports(file: string): string[] {
  const code = read(file);
  const specifiers = [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1] ?? '');
  return specifiers.map((s) => posix.normalize(posix.join(posix.dirname(file), s)));
}

function reachable(entry: string): string[] {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() ?? '';
    if (seen.has(file)) continue;
    seen.add(file);
    queue.push(...relativeImports(file));
  }
  return [...seen];
}

const importsRedis = (code: string): boolean => /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']redis["']/.test(code);

const files = jsFiles();

// 1. 'use client' first in the React entry (Next.js server components render it).
if (!/^["']use client["'];/.test(read('index.js'))) fail("dist/index.js does not start with 'use client'");
for (const file of files.filter((f) => f !== 'index.js')) {
  if (/^["']use client["']/.test(read(file))) fail(`dist/${file} starts with 'use client' but is not the React entry`);
}

// 2. The worker: the standard reference, at the root of dist, next to a minified worker without a map.
const spawners = files.filter((f) => read(f).includes(workerReference));
if (spawners.length !== 1) fail(`expected exactly one chunk with ${workerReference}, found ${String(spawners.length)}`);
for (const file of spawners) if (file.includes('/')) fail(`dist/${file} references ./${workerFileName} but is not at the root of dist`);
for (const file of files) {
  const code = read(file);
  if (code.includes('"" + import.meta.url')) fail(`dist/${file} wraps import.meta.url ("" + import.meta.url): bundlers cannot follow it`);
  if (code.includes('@vite-ignore')) fail(`dist/${file} carries /* @vite-ignore */: an app's Vite would copy the worker instead of bundling it`);
}
if (!existsSync(join(dist, workerFileName))) fail(`dist/${workerFileName} is missing`);
else {
  const worker = read(workerFileName);
  if (worker.includes('sourceMappingURL')) fail(`dist/${workerFileName} names a source map that does not ship`);
  if (worker.split('\n').length > 3 || /\/\*\*|^\s*\/\//m.test(worker)) fail(`dist/${workerFileName} is not minified`);
  if (/\bimport\s*[({"']|\bfrom\s*["']/.test(worker)) fail(`dist/${workerFileName} imports other modules; it must be one self-contained file`);
}

// 3. redis only behind relay-claim-kit/server/redis.
for (const file of reachable('server/index.js')) {
  if (importsRedis(read(file))) fail(`dist/${file} (reachable from relay-claim-kit/server) imports redis: apps without it fail to build`);
}
if (!/\bfrom\s*["']redis["']/.test(read('server/redis.js'))) fail('dist/server/redis.js does not import redis statically');
for (const entry of ['index.js', 'core/index.js', 'privacy-pass/index.js', 'emulator/index.js', 'emulator/widget/index.js']) {
  for (const file of reachable(entry)) if (importsRedis(read(file))) fail(`dist/${file} (reachable from dist/${entry}) imports redis`);
}

// 4. No dependency that is not declared: jose left with the emulator's move to node:crypto.
for (const file of files) if (/\bfrom\s*["']jose["']|import\(\s*["']jose["']\)/.test(read(file))) fail(`dist/${file} imports jose`);

// 5. The tarball: no test-only files, every source map a chunk names ships with it, metadata present.
interface PackResult {
  files: { path: string }[];
}
const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' })) as PackResult[];
const packed = new Set((pack?.files ?? []).map((f) => f.path));
for (const path of packed) {
  if (/\.test(-d)?\.|\/test-utils\/|\/test\/|\.stories\./.test(path)) fail(`the tarball ships test-only ${path}`);
}
if (!packed.has(`dist/${workerFileName}`)) fail(`the tarball lacks dist/${workerFileName}`);
for (const file of files) {
  const map = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(read(file))?.[1];
  if (map && !packed.has(posix.join('dist', posix.dirname(file), map))) fail(`dist/${file} names ${map}, which is not in the tarball`);
}
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
for (const field of ['repository', 'homepage', 'bugs']) if (!manifest[field]) fail(`package.json has no ${field}`);
if ((manifest.dependencies as Record<string, string> | undefined)?.jose) fail('jose is still a dependency');

if (failures.length > 0) {
  console.error(`dist check failed (${relative(process.cwd(), dist) || 'dist'}):\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log(`dist check passed: ${String(files.length)} chunks, ${String(packed.size)} files in the tarball`);
