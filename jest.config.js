// Tests run as native ESM (node --experimental-vm-modules) and are compiled by swc without type-checking;
// `npm run typecheck` covers types.
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // A few dependencies ship ESM-only builds that CommonJS packages require(); Node 20.19 loads those natively, the
  // Jest runtime does not, so they are compiled to CommonJS for tests.
  transformIgnorePatterns: ['/node_modules/(?!(cookie|content-disposition)/)'],
  transform: {
    'node_modules/(cookie|content-disposition)/.+\\.js$': ['@swc/jest', { module: { type: 'commonjs' } }],
    '^.+\\.ts$': ['@swc/jest', {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'es6' },
    }],
  },
  globalSetup: '<rootDir>/test/support/global-setup.js',
  testTimeout: 30000,
  maxWorkers: 4,
};
