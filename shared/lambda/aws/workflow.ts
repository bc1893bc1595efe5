import { StepFunctionsWorkflow, createSfnClient } from '../../adapters/aws/step-functions-workflow';
import type { Config } from '../config';

export const awsWorkflow = (config: Config) => new StepFunctionsWorkflow(createSfnClient(), config.STATE_MACHINE_ARN);
export const awsDecommission = (config: Config) => new StepFunctionsWorkflow(createSfnClient(), config.DECOMMISSION_STATE_MACHINE_ARN);
