import { formatRequestLog } from '../../shared/requestLog';

describe('formatRequestLog', () => {
  test.each([
    [12.34, 12.3],
    [12.35, 12.4],
    [0.04, 0],
    [1500, 1500],
  ])('one JSON line with every field, the duration %d ms rounded to %d', (ms, rounded) => {
    const line = formatRequestLog({
      event: 'ingest',
      device: 'truck-042',
      key: '0123456789abcdef',
      outcome: 'stored',
      status: 200,
      bytes: 512,
      ms,
    });
    expect(line).toBe(
      `{"event":"ingest","device":"truck-042","key":"0123456789abcdef","outcome":"stored","status":200,"bytes":512,"ms":${rounded}}`,
    );
  });

  test('an error entry keeps its error', () => {
    expect(
      JSON.parse(formatRequestLog({ event: 'ingest', outcome: 'error', status: 503, ms: 1, error: 'X' })),
    ).toEqual({
      event: 'ingest',
      outcome: 'error',
      status: 503,
      ms: 1,
      error: 'X',
    });
  });
});
