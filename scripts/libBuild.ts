/**
 * Vite plugins for the library build (vite.config.ts), never for apps or Storybook:
 * - the worker reference in src/worker/spawn.ts reaches dist verbatim as
 *   `new Worker(new URL('./relay.worker.js', import.meta.url), { type: 'module' })`, the pattern every
 *   app bundler detects (Vite's own worker handling would rewrite it into `new URL(…, "" + import.meta.url)`
 *   behind `@vite-ignore`, which Turbopack and webpack then resolve to a file: URL);
 * - the worker itself is bundled on its own, minified, without a source map, as dist/relay.worker.js;
 * - the React entry's built file starts with `'use client'`, so a Next.js server component may render it.
 */
import { build } from 'esbuild';
import type { Plugin } from 'vite';

/** What dist must contain, byte for byte; scripts/checkDist.ts looks for it. */
export const workerReference = "new Worker(new URL('./relay.worker.js', import.meta.url), { type: 'module' })";
/** The source expression in src/worker/spawn.ts that the build swaps for `workerReference`. */
const sourceReference = "new Worker(new URL('./relay.worker.ts', import.meta.url), { type: 'module' })";
// A global call the bundler leaves alone, padded to the reference's length so source maps stay exact.
const placeholderName = '__relayClaimKitWorker';
const placeholder = `${placeholderName.padEnd(workerReference.length - 2, '_')}()`;

/** The worker file's name beside the chunk that spawns it. */
export const workerFileName = 'relay.worker.js';

/** Options of `relayLibraryBuild`. */
export interface RelayLibraryBuildOptions {
  /** The worker's entry module. */
  workerEntry: string;
  /** Output chunk names (entry names) whose files get the `'use client'` directive. */
  clientEntries: string[];
}

/** The library build's worker and directive handling (see the file comment). */
export function relayLibraryBuild(options: RelayLibraryBuildOptions): Plugin {
  return {
    name: 'relay-claim-kit:library-build',
    apply: 'build',
    enforce: 'pre',
    transform(code, id) {
      if (!id.replaceAll('\\', '/').endsWith('/src/worker/spawn.ts')) return null;
      if (!code.includes(sourceReference)) this.error(`src/worker/spawn.ts must contain ${sourceReference} verbatim`);
      return { code: code.replace(sourceReference, placeholder), map: null };
    },
    renderChunk(code, chunk) {
      if (!chunk.isEntry || !options.clientEntries.includes(chunk.name)) return null;
      // On the first line, so every later mapping keeps its line; bundlers drop module-level directives.
      return { code: `'use client';${code}`, map: null };
    },
    async generateBundle(_options, bundle) {
      // Here rather than in renderChunk: Vite reprints chunks after renderChunk (quotes, spacing), and the
      // reference must reach dist byte for byte. Same length, so the chunk's source map stays exact.
      let replaced = 0;
      for (const output of Object.values(bundle)) {
        if (output.type !== 'chunk' || !output.code.includes(placeholder)) continue;
        // './relay.worker.js' only resolves from a chunk at the root of dist, where the worker is written.
        if (output.fileName.includes('/')) this.error(`the worker reference landed in ${output.fileName}, not at the root of dist`);
        output.code = output.code.replaceAll(placeholder, workerReference);
        replaced += 1;
      }
      if (replaced === 0) this.error('no chunk spawns the relay worker; the worker reference was lost');
      const result = await build({
        entryPoints: [options.workerEntry],
        bundle: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        minify: true,
        legalComments: 'none',
        write: false,
      });
      const [file] = result.outputFiles;
      if (!file) this.error('esbuild produced no worker file');
      this.emitFile({ type: 'asset', fileName: workerFileName, source: file.text });
    },
  };
}
