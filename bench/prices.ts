/**
 * AWS list prices the cost figures use: us-east-1, on-demand, no free tier (a deployment that vends
 * accounts at scale has used it up), no Savings Plans. Each price names where it was read and when;
 * a price that changes is changed here, with its new date.
 */

export interface Price {
  /** USD per unit. */
  usd: number;
  unit: string;
  /** Where the number was read. */
  source: string;
}

export const PRICES_REGION = 'us-east-1';
/** When the prices below were looked up. */
export const PRICES_CHECKED = '2026-11-30';

export const PRICES = {
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    unit: 'GB-second of Lambda duration, arm64, first 7.5 billion GB-seconds a month',
    source:
      'aws.amazon.com/lambda/pricing (AWS renders the rate table client-side, so the figure was read from transcriptions of it: cloudchipr.com/blog/aws-lambda-pricing and artillery\'s lib/platform/aws-lambda/prices.js, both $0.0000133334 for arm64 in us-east-1)',
  },
  lambdaRequest: {
    usd: 0.2 / 1_000_000,
    unit: 'Lambda request ($0.20 per million)',
    source: 'aws.amazon.com/lambda/pricing ($0.20 per 1M requests, the same for x86 and arm64)',
  },
  stepFunctionsTransition: {
    usd: 0.025 / 1_000,
    unit: 'Step Functions Standard state transition ($0.025 per 1,000; retries count)',
    source: 'aws.amazon.com/step-functions/pricing (table "State transitions pricing", US East (N. Virginia) $0.0250 per 1,000)',
  },
  dynamoWriteRequestUnit: {
    usd: 0.625 / 1_000_000,
    unit: 'DynamoDB on-demand write request unit, Standard table class ($0.625 per million)',
    source: 'aws.amazon.com/dynamodb/pricing/on-demand (rates since the 1 November 2024 reduction; figure as transcribed by airbyte.com/data-engineering-resources/dynamodb-pricing)',
  },
  dynamoReadRequestUnit: {
    usd: 0.125 / 1_000_000,
    unit: 'DynamoDB on-demand read request unit, Standard table class ($0.125 per million)',
    source: 'aws.amazon.com/dynamodb/pricing/on-demand (as above)',
  },
} as const satisfies Record<string, Price>;

/** What one vended account uses of each priced thing. */
export interface Usage {
  stateTransitions: number;
  lambdaRequests: number;
  lambdaGbSeconds: number;
  dynamoReadUnits: number;
  dynamoWriteUnits: number;
}

export function costUsd(u: Usage): number {
  return (
    u.stateTransitions * PRICES.stepFunctionsTransition.usd +
    u.lambdaRequests * PRICES.lambdaRequest.usd +
    u.lambdaGbSeconds * PRICES.lambdaArmGbSecond.usd +
    u.dynamoReadUnits * PRICES.dynamoReadRequestUnit.usd +
    u.dynamoWriteUnits * PRICES.dynamoWriteRequestUnit.usd
  );
}
