/**
 * Powertools' Logger, for logger.ts to require when something is first logged. Going through this
 * module keeps the package's ES module build in the bundle (a require() of the package itself would
 * pick its larger CommonJS build), evaluated only by a process that logs.
 */
export { Logger } from '@aws-lambda-powertools/logger';
