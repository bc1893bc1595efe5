// asl-validator v4 ships JavaScript only; this declares the part the tests use.
// Its entry point is `module.exports = function validator(definition, options)`.
declare module 'asl-validator' {
  namespace validator {
    interface ValidationOptions {
      /** Check JSONPath / payload-template paths (default true). */
      readonly checkPaths: boolean;
      /** Check that Task `Resource` values are ARNs (default true). */
      readonly checkArn: boolean;
    }

    interface StateMachineError {
      'Error code': string;
      Message: string;
      schemaError?: { instancePath: string; schemaPath: string };
    }

    interface ValidationResult {
      isValid: boolean;
      errors: StateMachineError[];
      errorsText(separator?: string): string;
    }
  }

  /** Validates an Amazon States Language definition. Note: it fills in `QueryLanguage` on the states it is given. */
  function validator(definition: object, options?: validator.ValidationOptions): validator.ValidationResult;

  export = validator;
}
