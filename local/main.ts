import { adminPrincipal } from '../shared/use-cases/handoff-steps';
import { EXIT, exitWith, runCommand, wholeNumber, type CommandSpec } from './cli';
import { startRuntime } from './runtime';

const SPEC = {
  command: 'start',
  invocation: 'npm start --',
  synopsis: '[--aws] [--port N]',
  description: 'Runs the local runtime in the foreground: the API, the state machine and the registry, with all state in ${SWITCHYARD_DATA_DIR:-.switchyard}.',
  options: {
    aws: { type: 'boolean', description: 'use real AWS clients (standard credential and endpoint variables) instead of the simulated organization' },
    port: { type: 'integer', value: 'N', min: 0, max: 65535, description: 'the port to listen on (default $PORT, else 3000; 0 picks a free one)' },
  },
  exitCodes: [
    [0, 'stopped (SIGINT or SIGTERM); in-flight environments resume at the next start'],
    [1, 'could not start'],
    [2, 'usage mistake (an argument, or PORT)'],
  ],
  failure: 'could not start',
} as const satisfies CommandSpec;

/** `npm start [-- --aws] [--port N]`: the local runtime in the foreground. */
async function main(argv: readonly string[]): Promise<number> {
  return runCommand(SPEC, argv, async ({ values }) => {
    const aws = values.aws === true;
    const port = values.port ?? portFromEnv(process.env.PORT);
    const dataDir = process.env.SWITCHYARD_DATA_DIR ?? '.switchyard';
    const runtime = await startRuntime({ dataDir, port, aws, print: (line) => console.log(line) });
    console.log(`Switchyard is listening on ${runtime.url} (${aws ? 'real AWS clients' : 'simulated organization'}; data in ${runtime.dataDir})`);
    const principal = adminPrincipal(runtime.deps.config);
    console.log(
      principal
        ? `New accounts: IAM ${principal.type} ${principal.name} may switch into them (ADMIN_${principal.type.toUpperCase()})`
        : 'New accounts: nobody is granted access (set ADMIN_GROUP or ADMIN_USER to the IAM group or user that may switch in)',
    );
    console.log(`Try: curl -s -X POST ${runtime.url}/environments -H 'content-type: application/json' -d '{"name":"Staging","ou":"Workloads/Staging"}'`);
    let closing = false;
    const stop = async (signal: string) => {
      if (closing) return;
      closing = true;
      console.log(`[runtime] ${signal}: stopping; in-flight environments resume at the next start`);
      await runtime.close();
      process.exit(EXIT.OK);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
    return EXIT.OK;
  });
}

/** PORT is read like --port: a typo stops the start instead of listening on a port nobody asked for. */
function portFromEnv(value: string | undefined): number {
  return value === undefined || value === '' ? 3000 : wholeNumber('PORT', value, 0, 65535);
}

exitWith(SPEC, main(process.argv.slice(2)));
