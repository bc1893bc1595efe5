import { Logger } from '@aws-lambda-powertools/logger';

/** One structured JSON logger for every function. Emails are masked by callers; secrets are never passed in. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'switchyard' });
