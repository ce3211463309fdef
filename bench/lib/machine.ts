import os from 'node:os';

/** The machine a run was measured on: every recorded number comes with it. */
export interface MachineDescription {
  readonly host: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
}

export function describeMachine(): MachineDescription {
  const cpus = os.cpus();
  return {
    host: os.hostname(),
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}
