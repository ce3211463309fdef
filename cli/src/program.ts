import { Command } from 'commander';
import { commandModules } from './commands/index.js';

/**
 * Builds the `trialgate` command tree. Each subcommand lives in its own module under `commands/` and only
 * parses arguments, calls a package's library API and turns results and errors into output and exit codes.
 */
export function buildProgram(): Command {
  const program = new Command('trialgate')
    .description('Trialgate: a clinical-trial edge gateway with a signed, anchored, verifiable log')
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true });
  for (const register of commandModules) register(program);
  return program;
}
