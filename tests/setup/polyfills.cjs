// aws-local-stepfunctions calls Promise.withResolvers, which Node 20 lacks.
require('../../shared/polyfills.cjs');
// Test output shows failures, not the workflow's expected warnings (tests that inspect logs set their own level).
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
