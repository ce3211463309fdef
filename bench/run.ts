/**
 * `npm run bench [-- --quick] [-- --only a,b]`: runs the benchmark suites (bench/suites/<name>.ts), each in a
 * child process of its own and bounded in time, writes every measurement with the machine and its load to
 * `bench/results/<date>-<host>.json`, prints the markdown tables, and after a full run of every suite rewrites
 * the latest-results section of bench/README.md.
 *
 * Options: `--quick` (smaller counts; the whole run stays under 3 minutes on the reference machine),
 * `--only a,b`, `--list`, `--readme` / `--no-readme` (rewrite the README section anyway / never),
 * `--timeout-minutes N` (per suite; default 4 with --quick, 60 otherwise).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_RESULTS_FORMAT, writeResults, type BenchResults } from './lib/bench-results.js';
import { loadAverage } from './lib/load-average.js';
import { describeMachine } from './lib/machine.js';
import { formatNumber, formatReport } from './lib/markdown-report.js';
import { replaceSection } from './lib/readme-section.js';
import { killCurrentSuite, runSuites } from './lib/run-suites.js';
import { BENCH_ROOT, listSuites, selectSuites } from './lib/suite-list.js';

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      list: { type: 'boolean', default: false },
      readme: { type: 'boolean', default: false },
      'no-readme': { type: 'boolean', default: false },
      'timeout-minutes': { type: 'string' },
    },
    strict: true,
  });
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
const options = parsed.values;
const all = listSuites();
if (options.list) {
  for (const suite of all) process.stdout.write(`${suite.name}\n`);
  process.exit(0);
}
const quick = options.quick;
const only = options.only?.split(',').map((s) => s.trim()).filter((s) => s !== '');
let suites;
try {
  suites = selectSuites(all, only);
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
for (const suite of suites) {
  if (!fs.existsSync(suite.modulePath)) fail(`${suite.modulePath} is not built: run npx tsc -b (npm run bench builds first)`);
}
const timeoutText = options['timeout-minutes'];
const timeoutMinutes = timeoutText === undefined ? (quick ? 4 : 60) : Number(timeoutText);
if (!Number.isFinite(timeoutMinutes) || timeoutMinutes <= 0) fail('--timeout-minutes must be a positive number');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killCurrentSuite();
    process.exit(130);
  });
}

const machine = describeMachine();
const startLoad = loadAverage();
const startedAt = new Date().toISOString();
process.stderr.write(`bench: ${suites.length} suite(s)${quick ? ', quick' : ''} on ${machine.cores} cores (${machine.cpuModel}), load average ${startLoad.join(' ')}\n`);
const { runs, measurements } = await runSuites({
  suites,
  quick,
  timeoutMs: timeoutMinutes * 60_000,
  onProgress: ({ suite, phase, run }) => {
    if (phase === 'start') process.stderr.write(`bench: ${suite} ...\n`);
    else if (run !== undefined) process.stderr.write(`bench: ${suite} ${run.status} in ${formatNumber(run.seconds)} s${run.error === undefined ? '' : `: ${run.error.split('\n')[0] ?? ''}`}\n`);
  },
});
const results: BenchResults = {
  format: BENCH_RESULTS_FORMAT,
  startedAt,
  finishedAt: new Date().toISOString(),
  quick,
  ...(only === undefined ? {} : { only }),
  machine,
  loadAverage: { start: startLoad, end: loadAverage() },
  suites: runs,
  measurements,
};
const file = writeResults(path.join(BENCH_ROOT, 'results'), results);
const report = formatReport(results);
process.stdout.write(report);
const relative = path.relative(path.resolve(BENCH_ROOT, '..'), file);
process.stderr.write(`bench: wrote ${relative}\n`);

const allOk = runs.every((r) => r.status === 'ok');
const full = !quick && only === undefined && allOk;
if (!options['no-readme'] && (options.readme || full)) {
  const readmePath = path.join(BENCH_ROOT, 'README.md');
  const readme = fs.existsSync(readmePath) ? fs.readFileSync(readmePath, 'utf8') : '# Benchmarks\n';
  fs.writeFileSync(readmePath, replaceSection(readme, `Results file: \`${relative}\`.\n\n${report}`));
  process.stderr.write('bench: updated the latest results in bench/README.md\n');
}
process.exitCode = allOk ? 0 : 1;
