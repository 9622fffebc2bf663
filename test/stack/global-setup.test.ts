import { describe, expect, inject, it } from 'vitest';

describe('global setup', () => {
  it('provides the stack addresses through inject', () => {
    expect(inject('mongoUrl')).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
    expect(inject('temporalAddress')).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(inject('temporalNamespace')).toBe('default');
    expect(inject('temporalUiUrl')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(inject('postgresUrl')).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/ferretdb$/);
  });

  it('sets the settings variables for test workers', () => {
    expect(process.env.PROFILE_JOBS_MONGO_URL).toBe(`${inject('mongoUrl')}profile_jobs_test`);
    expect(process.env.PROFILE_JOBS_TEMPORAL_ADDRESS).toBe(inject('temporalAddress'));
  });
});
