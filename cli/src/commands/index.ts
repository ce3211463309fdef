import type { Command } from 'commander';
import { registerAnchorCommand } from './anchor.js';
import { registerDevicesCommand } from './devices.js';
import { registerGatewayCommand } from './gateway.js';
import { registerInspectCommand } from './inspect.js';
import { registerQuarantineCommand } from './quarantine.js';
import { registerSimCommand } from './sim.js';
import { registerVerifyCommand } from './verify.js';
import { registerCheckpointsCommand } from './checkpoints.js';
import { registerExportCommand } from './export.js';
import { registerKeysCommand } from './keys.js';
import { registerTokensCommand } from './tokens.js';
import { registerDemoCommand } from './demo.js';
import { registerScheduleCommand } from './schedule.js';

/** Every subcommand module registers itself on the program; add one line per module. */
export type RegisterCommand = (program: Command) => void;

export const commandModules: readonly RegisterCommand[] = [registerAnchorCommand, registerDevicesCommand, registerGatewayCommand, registerInspectCommand, registerQuarantineCommand, registerSimCommand, registerVerifyCommand, registerCheckpointsCommand, registerExportCommand, registerKeysCommand, registerTokensCommand, registerScheduleCommand, registerDemoCommand];
