/**
 * How the simulated organization says no: AWS's exception names and, for bad input, the checks of
 * request fields that every operation shares (InvalidInputException with AWS's `Reason`).
 */

/**
 * An AWS service exception: `name` is the exception name AWS uses, `fields` extra members of the
 * error body (such as `Reason`) that the SDK copies onto the exception it throws.
 */
export class SimulatedAwsError extends Error {
  constructor(
    name: string,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = name;
  }
}

export function invalid(reason: string, message: string): SimulatedAwsError {
  return new SimulatedAwsError('InvalidInputException', message, { Reason: reason });
}

export function requiredString(value: unknown, field: string): string {
  if (value === undefined || value === null) throw invalid('INPUT_REQUIRED', `You must specify a value for ${field}.`);
  if (typeof value !== 'string') throw invalid('INVALID_INPUT', `${field} must be a string.`);
  return value;
}

export function requiredArray<T>(value: T[] | undefined, field: string): T[] {
  if (value === undefined || value === null) throw invalid('INPUT_REQUIRED', `You must specify a value for ${field}.`);
  if (!Array.isArray(value)) throw invalid('INVALID_INPUT', `${field} must be a list.`);
  return value;
}

export function checkLength(value: string, field: string, min: number, max: number): void {
  if (value.length < min) throw invalid('MIN_LENGTH_EXCEEDED', `${field} must be at least ${min} characters long.`);
  if (value.length > max) throw invalid('MAX_LENGTH_EXCEEDED', `${field} must be at most ${max} characters long.`);
}
