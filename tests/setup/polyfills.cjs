// aws-local-stepfunctions calls Promise.withResolvers, which Node 20 lacks.
require('../../shared/polyfills.cjs');
