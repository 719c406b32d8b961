import {
  DEFAULT_REFERENCE_COLUMNS as COLUMNS,
  hourState,
  readReferenceRow,
  referenceComparison,
  referenceLayout,
  ReferenceRowError,
  ReferenceTally,
} from '../../shared/coverage';

const hourOf = (iso: string) => Date.parse(iso) / 3_600_000;

describe('the layout is told by the header', () => {
  test.each([
    [['device', 'timestamp'], { kind: 'readings', device: 0, timestamp: 1, fields: 2 }],
    [['Timestamp', ' DEVICE ', 'value'], { kind: 'readings', device: 1, timestamp: 0, fields: 2 }],
    [['quality', 'device', 'value', 'timestamp'], { kind: 'readings', device: 1, timestamp: 3, fields: 4 }],
    [['device', 'hour', 'count'], { kind: 'hourly', device: 0, hour: 1, count: 2, fields: 3 }],
    [['count', 'hour', 'x', 'device'], { kind: 'hourly', device: 3, hour: 1, count: 0, fields: 4 }],
    // Both present: one row per reading (the hour is then the reading's own).
    [['device', 'hour', 'count', 'timestamp'], { kind: 'readings', device: 0, timestamp: 3, fields: 4 }],
  ])('%j', (header, layout) => {
    expect(referenceLayout(header, COLUMNS)).toEqual(layout);
  });

  test('other names set by options', () => {
    const columns = { device: 'Tag', timestamp: 'Time', hour: 'Hour start', count: 'Samples' };
    expect(referenceLayout(['Tag', 'Time', 'Value'], columns)).toMatchObject({ kind: 'readings' });
    expect(referenceLayout(['tag', 'hour start', 'samples'], columns)).toMatchObject({ kind: 'hourly' });
  });

  test.each([
    [['device']],
    [['device', 'hour']],
    [['device', 'count']],
    [['tag', 'timestamp']],
    [['hour', 'count']],
  ])('%j is refused, saying what it looks for', (header) => {
    expect(() => referenceLayout(header, COLUMNS)).toThrow(ReferenceRowError);
    expect(() => referenceLayout(header, COLUMNS)).toThrow(
      `the header (${header.join(',')}) has neither "device,timestamp" (one row per reading) nor "device,hour,count" (one row per UTC hour); name other columns with --reference-*-column`,
    );
  });
});

describe('a row', () => {
  const readings = referenceLayout(['device', 'timestamp', 'value'], COLUMNS);
  const hourly = referenceLayout(['device', 'hour', 'count'], COLUMNS);

  test('one reading: its UTC hour, UTC unless the time has an offset', () => {
    expect(readReferenceRow(readings, ['truck-1', '2026-11-20T06:59:59Z', '1.5'])).toEqual({
      deviceId: 'truck-1',
      hour: hourOf('2026-11-20T06:00Z'),
      count: 1,
    });
    expect(readReferenceRow(readings, [' truck-1 ', '2026-11-20 06:15:00', ''])).toMatchObject({
      hour: hourOf('2026-11-20T06:00Z'),
    });
    expect(readReferenceRow(readings, ['truck-1', '2026-11-20T14:15:00+08:00'])).toMatchObject({
      hour: hourOf('2026-11-20T06:00Z'),
    });
  });

  test('one hour: its start and its count', () => {
    expect(readReferenceRow(hourly, ['truck-1', '2026-11-20T06:00', '59'])).toEqual({
      deviceId: 'truck-1',
      hour: hourOf('2026-11-20T06:00Z'),
      count: 59,
    });
    expect(readReferenceRow(hourly, ['truck-1', '2026-11-20T06:00Z', ' 0 '])).toMatchObject({ count: 0 });
  });

  test.each([
    [readings, ['truck-1'], '1 field(s) where the columns need 2'],
    [
      readings,
      ['truck 1', '2026-11-20T06:00Z'],
      '"truck 1" is not a device id (translate the historian\'s names with --reference-map)',
    ],
    [
      readings,
      ['truck-1', '20/11/2026 06:00'],
      'cannot read time "20/11/2026 06:00": ISO 8601 expected, e.g. 2026-11-20T06:15:00Z (UTC unless it has an offset)',
    ],
    [readings, ['truck-1', ''], 'cannot read time "": ISO 8601 expected'],
    [
      hourly,
      ['truck-1', '2026-11-20T06:30Z', '5'],
      'hour "2026-11-20T06:30Z" is not the start of a UTC hour',
    ],
    [hourly, ['truck-1', '2026-11-20T06:00:01Z', '5'], 'is not the start of a UTC hour'],
    [hourly, ['truck-1', '2026-11-20T06:00+05:30', '5'], 'is not the start of a UTC hour'],
    [hourly, ['truck-1', '2026-11-20T06:00Z', '-1'], 'count "-1" is not a whole number of readings'],
    [hourly, ['truck-1', '2026-11-20T06:00Z', '2.5'], 'count "2.5" is not a whole number'],
    [hourly, ['truck-1', '2026-11-20T06:00Z', ''], 'count "" is not a whole number'],
    [hourly, ['truck-1', '2026-11-20T06:00Z', '1e3'], 'count "1e3" is not a whole number'],
    [hourly, ['truck-1', '2026-11-20T06:00Z', '1234567890'], 'count "1234567890" is not a whole number'],
  ])('refused: %#', (layout, record, message) => {
    expect(() => readReferenceRow(layout, record)).toThrow(ReferenceRowError);
    expect(() => readReferenceRow(layout, record)).toThrow(message);
  });

  test('with a map: names translated, names it lacks ignored, a mapped name must give a device id', () => {
    const names = new Map([
      ['HT-042.OilTemp', 'truck-042'],
      ['Bad', 'not a device'],
    ]);
    expect(readReferenceRow(readings, ['HT-042.OilTemp', '2026-11-20T06:00Z'], names)).toMatchObject({
      deviceId: 'truck-042',
    });
    expect(readReferenceRow(readings, ['Crusher-1', 'not even a time'], names)).toEqual({
      ignored: 'Crusher-1',
    });
    expect(() => readReferenceRow(readings, ['Bad', '2026-11-20T06:00Z'], names)).toThrow(
      '"Bad" is not a device id',
    );
  });
});

describe('the tally keeps the span, counts the rest', () => {
  test('sums per device and hour; rows outside the span and ignored names are counted only', () => {
    const first = hourOf('2026-11-20T00:00Z');
    const tally = new ReferenceTally({ first, end: first + 24 });
    tally.add({ deviceId: 'a', hour: first, count: 1 });
    tally.add({ deviceId: 'a', hour: first, count: 2 });
    tally.add({ deviceId: 'a', hour: first + 23, count: 5 });
    tally.add({ deviceId: 'b', hour: first + 1, count: 0 });
    tally.add({ deviceId: 'a', hour: first - 1, count: 9 });
    tally.add({ deviceId: 'a', hour: first + 24, count: 9 });
    tally.add({ ignored: 'Crusher-1' });
    tally.add({ ignored: 'Crusher-1' });
    expect(tally.hours).toEqual(
      new Map([
        [
          'a',
          new Map([
            [first, 3],
            [first + 23, 5],
          ]),
        ],
        ['b', new Map([[first + 1, 0]])],
      ]),
    );
    expect(tally).toMatchObject({
      rows: 8,
      outsideRange: 2,
      ignoredRows: 2,
      ignoredNames: new Set(['Crusher-1']),
    });
  });
});

describe('ours against the reference', () => {
  test('hourState', () => {
    expect([hourState(3, 60), hourState(3, 0), hourState(0, 60), hourState(0, 0)]).toEqual([
      'both',
      'filled',
      'referenceOnly',
      'stillMissing',
    ]);
    expect([hourState(1, 1), hourState(0, 1), hourState(1, 0)]).toEqual(['both', 'referenceOnly', 'filled']);
  });

  test('counts per state and the runs neither has, longest first', () => {
    const first = hourOf('2026-11-20T00:00Z');
    expect(referenceComparison([0, 5, 5, 0, 0, 0, 1, 0], [0, 60, 0, 60, 0, 0, 0, 0], first)).toEqual({
      hoursBoth: 1,
      hoursFilled: 2,
      hoursReferenceOnly: 1,
      hoursStillMissing: 4,
      stillMissing: [
        { from: '2026-11-20T04:00:00.000Z', to: '2026-11-20T06:00:00.000Z', hours: 2 },
        { from: '2026-11-20T00:00:00.000Z', to: '2026-11-20T01:00:00.000Z', hours: 1 },
        { from: '2026-11-20T07:00:00.000Z', to: '2026-11-20T08:00:00.000Z', hours: 1 },
      ],
    });
  });
});
