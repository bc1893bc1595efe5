import { loadConfig } from '../../shared/lambda/config';
import { lazy } from '../../shared/lambda/lazy';
import { taskHandler } from '../../shared/lambda/task';
import { CloseFailureInputSchema, IdInputSchema, PollInputSchema } from '../../shared/lambda/task-inputs';
import { awsEvents } from '../../shared/lambda/aws/events';
import { awsChannels } from '../../shared/lambda/aws/notifier';
import { awsOrganization } from '../../shared/lambda/aws/organization';
import { awsClosingWindow, awsDeliveries, awsEnvironments, awsGrantPatterns, awsOrganizationIndex } from '../../shared/lambda/aws/registry';
import { awsSecrets } from '../../shared/lambda/aws/secrets';
import { systemClock } from '../../shared/ports';
import { beginCloseStep, checkClosureStep, closeAccountStep, prepareCloseStep, recordClosedStep, recordCloseFailureStep } from '../../shared/use-cases/close-steps';
import type { Deps } from '../../shared/use-cases/deps';

type StepDeps = Pick<Deps, 'config' | 'clock' | 'environments' | 'organization' | 'organizationIndex' | 'closingWindow' | 'grantPatterns' | 'events' | 'deliveries' | 'channels'>;

/** DecommissionEnvironment's tasks, one entry point each, all on DecommissionEnvironmentRole. */
export const build = (deps: () => StepDeps) => ({
  begin: taskHandler('BeginClose', IdInputSchema, (input) => beginCloseStep(deps(), input)),
  prepare: taskHandler('PrepareClose', IdInputSchema, (input) => prepareCloseStep(deps(), input)),
  account: taskHandler('CloseAccount', IdInputSchema, (input) => closeAccountStep(deps(), input)),
  check: taskHandler('CheckClosure', PollInputSchema, (input) => checkClosureStep(deps(), input)),
  record: taskHandler('RecordClosed', IdInputSchema, (input) => recordClosedStep(deps(), input)),
  failure: taskHandler('RecordCloseFailure', CloseFailureInputSchema, (input) => recordCloseFailureStep(deps(), input)),
});

export const { begin, prepare, account, check, record, failure } = build(
  lazy(() => {
    const config = loadConfig();
    return {
      config,
      clock: systemClock,
      environments: awsEnvironments(config),
      organization: awsOrganization(),
      organizationIndex: awsOrganizationIndex(config),
      closingWindow: awsClosingWindow(config),
      grantPatterns: awsGrantPatterns(config),
      events: awsEvents(config),
      deliveries: awsDeliveries(config),
      channels: awsChannels(config, awsSecrets(config)),
    };
  }),
);
