// Three suites that npm test runs one after another; each can also be run alone.
const common = {
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/tests/setup/polyfills.cjs'],
  transform: { '^.+\\.[cm]?[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
  transformIgnorePatterns: ['/node_modules/(?!(@middy)/)'],
};
module.exports = {
  // A safety cap for runs that hang, not a performance goal: e2e tests wait for real (local)
  // provisioning, including the seconds a new account's role takes to become usable.
  testTimeout: 60_000,
  // Temporary files of the whole run in one directory, removed at its end.
  globalSetup: '<rootDir>/tests/setup/temp-dir.cjs',
  globalTeardown: '<rootDir>/tests/setup/temp-dir-teardown.cjs',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/tests/unit/**/*.test.ts'] },
    { ...common, displayName: 'workflow', testMatch: ['<rootDir>/tests/workflow/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'] },
  ],
};
