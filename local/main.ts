import { adminPrincipal } from '../shared/use-cases/handoff-steps';
import { startRuntime } from './runtime';

/** `npm start [-- --aws] [--port N]`: the local runtime in the foreground. */
async function main() {
  const args = process.argv.slice(2);
  const aws = args.includes('--aws');
  const portArg = args.indexOf('--port');
  const port = Number(portArg >= 0 ? args[portArg + 1] : (process.env.PORT ?? 3000));
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
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`Switchyard could not start: ${(error as Error).message}`);
  process.exit(1);
});
