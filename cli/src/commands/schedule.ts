/**
 * `trialgate schedule`: dose schedules of dispensers (docs/dosing.md). Setting or clearing a schedule is
 * logged as a `gateway` entry; the running gateway sends it to the device, reminds when a dose is due and
 * not taken, and logs missed doses. Works on a stopped gateway's data directory (the schedule is sent when
 * the gateway next runs) and on a running one's through its admin socket.
 */
import { Option, type Command } from 'commander';
import { isTrialgateError } from '@trialgate/firmware-protocol';
import type { DosingOperations, ScheduleView } from '@trialgate/gateway';
import { dataOption, fail, printJson, printTable, report } from './devices-session.js';
import { parseDoseOptions, parseMinutes, parseMinutesList } from './schedule-args.js';

interface CommonOptions {
  readonly data?: string;
  readonly json?: boolean;
}

export function registerScheduleCommand(program: Command): void {
  const schedule = program.command('schedule').description('dose schedules of dispensers: reminders and missed-dose detection (every change is logged)');
  const data = (): Option => new Option('--data <dir>', 'data directory of the gateway (env TRIALGATE_DATA)');
  const json = (): Option => new Option('--json', 'print JSON');
  const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

  schedule
    .command('set')
    .description('set the daily dose schedule of a device (replaces its current one)')
    .argument('<device>', 'device id')
    .addOption(data())
    .option('--dose <slot@HH:MM>', 'a dose: slot number and local time, e.g. 1@08:00 (repeatable)', collect)
    .option('--at <HH:MM>', 'a dose time; slots are numbered 1, 2, ... in the order given (repeatable)', collect)
    .option('--tz <zone>', 'IANA time zone of the times, e.g. Europe/Berlin (default UTC)')
    .option('--window <duration>', 'a dose not taken this long after its time is missed, e.g. 4h, 90m (default 4h)')
    .option('--remind <list>', 'reminders this long after a dose time while not taken, e.g. 0m,60m (default 0m,60m)')
    .addOption(json())
    .action(async (device: string, options: CommonOptions & { dose?: string[]; at?: string[]; tz?: string; window?: string; remind?: string }) => {
      const doses = parseDoseOptions(options.dose ?? [], options.at ?? []);
      if (typeof doses === 'string') return fail(doses);
      const windowMin = options.window === undefined ? undefined : parseMinutes(options.window);
      if (windowMin === null) return fail(`--window ${options.window ?? ''} is not a duration such as 4h or 90m`);
      const remindMin = options.remind === undefined ? undefined : parseMinutesList(options.remind);
      if (remindMin === null) return fail(`--remind ${options.remind ?? ''} is not a list of durations such as 0m,60m`);
      await withDosing(dataOption(options.data), 'trialgate schedule set', async (ops) => {
        const result = await ops.setSchedule(
          device,
          { doses, ...(options.tz === undefined ? {} : { tz: options.tz }), ...(windowMin === undefined ? {} : { window_min: windowMin }), ...(remindMin === undefined ? {} : { remind_min: remindMin }) },
          'cli',
        );
        if (options.json === true) printJson(result);
        else process.stdout.write(`schedule v${result.schedule.version} of ${device}: ${describeDoses(result.schedule)} (log index ${result.index})\n`);
      });
    });

  schedule
    .command('clear')
    .description('clear the schedule of a device: no more reminders or missed-dose findings (the device is told)')
    .argument('<device>', 'device id')
    .addOption(data())
    .addOption(json())
    .action(async (device: string, options: CommonOptions) => {
      await withDosing(dataOption(options.data), 'trialgate schedule clear', async (ops) => {
        const result = await ops.clearSchedule(device, 'cli');
        if (options.json === true) printJson(result);
        else process.stdout.write(`schedule of ${device} cleared (v${result.schedule.version}, log index ${result.index})\n`);
      });
    });

  schedule
    .command('list')
    .description("every device's current schedule")
    .addOption(data())
    .addOption(json())
    .action(async (options: CommonOptions) => {
      await withDosing(dataOption(options.data), 'trialgate schedule list', async (ops) => {
        const list = await ops.listSchedules();
        if (options.json === true) printJson(list);
        else printSchedules(list);
      });
    });

  schedule
    .command('show')
    .description("a device's schedule, its history, the downlink messages sent and the dose events reported")
    .argument('<device>', 'device id')
    .addOption(data())
    .addOption(json())
    .action(async (device: string, options: CommonOptions) => {
      await withDosing(dataOption(options.data), 'trialgate schedule show', async (ops) => {
        const shown = await ops.showSchedule(device);
        if (options.json === true) {
          printJson(shown);
          return;
        }
        printSchedules([shown]);
        process.stdout.write('\ndownlink messages (newest first):\n');
        for (const d of shown.downlinks) {
          const what = d.type === 'reminder' ? `reminder ${d.n ?? '?'} for slot ${d.slot ?? '?'} at ${d.scheduled ?? '?'}` : 'schedule';
          process.stdout.write(`  #${d.id}  ${d.sent_at}  ${d.transport}  ${what}  ${d.ack_index === null ? 'not acknowledged' : `acknowledged (${d.ack_status ?? '?'}, index ${d.ack_index})`}\n`);
        }
        process.stdout.write('dose events (newest first):\n');
        for (const e of shown.dose_events) process.stdout.write(`  ${String(e.index).padStart(8)}  ${e.t}  ${e.event}  slot ${e.slot ?? '-'}  scheduled ${e.scheduled ?? '-'}\n`);
      });
    });
}

async function withDosing(dataDir: string | undefined, holder: string, body: (operations: DosingOperations) => Promise<void>): Promise<void> {
  if (dataDir === undefined || dataDir === '') {
    fail('the data directory is required: --data DIR (or TRIALGATE_DATA)');
    return;
  }
  let opened;
  try {
    // The gateway package is loaded when a schedule command runs, not at CLI start-up (issue 3).
    const { openDosing, systemClock } = await import('@trialgate/gateway');
    opened = await openDosing({ dataDir, clock: systemClock, holder });
  } catch (error) {
    report(error);
    return;
  }
  try {
    await body(opened.operations);
  } catch (error) {
    if (isTrialgateError(error) || error instanceof Error) report(error);
    else throw error;
  } finally {
    await opened.close();
  }
}

function describeDoses(schedule: ScheduleView): string {
  if (schedule.doses.length === 0) return 'no doses';
  return `${schedule.doses.map((d) => `slot ${d.slot} at ${d.at}`).join(', ')} ${schedule.tz}, window ${schedule.window_min} min, reminders at +${schedule.remind_min.join(', +')} min`;
}

function printSchedules(list: readonly ScheduleView[]): void {
  printTable(
    ['DEVICE', 'VERSION', 'DOSES', 'TZ', 'WINDOW', 'REMINDERS', 'SET', 'SENT'],
    list.map((s) => [
      s.device,
      String(s.version),
      s.doses.length === 0 ? '(cleared)' : s.doses.map((d) => `${d.slot}@${d.at}`).join(','),
      s.tz,
      `${s.window_min}m`,
      s.remind_min.map((m) => `+${m}m`).join(','),
      s.set_at,
      s.sent === null ? 'not yet' : s.sent.ack_index === null ? `${s.sent.sent_at} (not acknowledged)` : `${s.sent.sent_at} (acknowledged)`,
    ]),
  );
}
