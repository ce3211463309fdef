/**
 * Where a worker thread's script is: the built `.js` beside the calling module. Under vitest the calling module
 * runs from its TypeScript source (`src/<folder>/x.ts`), but worker threads always run the built code, so the
 * script is then taken from `dist/<folder>/`.
 */
export function builtWorkerScript(moduleUrl: string, fileName: string): URL {
  const here = new URL(moduleUrl);
  if (!here.pathname.endsWith('.ts')) return new URL(`./${fileName}`, here);
  const folder = here.pathname.split('/').at(-2) ?? '';
  return new URL(`../../dist/${folder}/${fileName}`, here);
}
