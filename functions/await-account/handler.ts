import { loadConfig } from '../../shared/lambda/config';
import { lazy } from '../../shared/lambda/lazy';
import { taskHandler } from '../../shared/lambda/task';
import { AwaitInput } from '../../shared/lambda/task-inputs';
import { awsCreationWakes, awsEnvironments } from '../../shared/lambda/aws/registry';
import { awsWorkflow } from '../../shared/lambda/aws/workflow';
import type { Deps } from '../../shared/use-cases/deps';
import { awaitAccountStep } from '../../shared/use-cases/provision-steps';

/** AwaitAccount: leaves WaitForAccount's task token where the creation's CreateAccountResult event finds it (see awaitAccountStep). */
export const build = (deps: () => Pick<Deps, 'environments' | 'creationWakes' | 'workflow'>) => taskHandler('AwaitAccount', AwaitInput, (input) => awaitAccountStep(deps(), input));

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { environments: awsEnvironments(config), creationWakes: awsCreationWakes(config), workflow: awsWorkflow(config) };
  }),
);
