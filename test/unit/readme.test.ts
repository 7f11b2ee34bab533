import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ConfigSchema, loadConfig, ConfigError } from '../../src/config.js';

describe('configuration', () => {
  it('documents every variable in the README table', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const missing = Object.keys(ConfigSchema.properties).filter((k) => !readme.includes(`\`${k}\``));
    expect(missing).toEqual([]);
  });

  it('defaults work, values are coerced, bad values are named, production refuses dev secrets', () => {
    expect(loadConfig({}).PORT).toBe(3000);
    expect(loadConfig({ PORT: '4001', RATE_LIMIT_ENABLED: 'false' })).toMatchObject({ PORT: 4001, RATE_LIMIT_ENABLED: false });
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT/);
    expect(() => loadConfig({ EVENT_STORE: 'mysql' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/must be set in production/);
  });
});
