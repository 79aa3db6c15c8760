import { describe, expect, it } from 'vitest';
import { UsageError, parseReplayArgs, parseScoreArgs } from '../cli/args.js';
import { modelTables } from '../schema/names.js';
import { formatReport } from './format.js';
import { parseReportParams, reportParamsSchema } from './params.js';
import { reportQuery } from './query.js';

const base = { from: '2024-05-01T00:00:00Z', to: '2024-05-02T00:00:00Z', by: 'site' };

describe('report parameters', () => {
  it('names the parameter that is wrong', () => {
    const bad = (raw: Record<string, string>) => {
      const r = parseReportParams(raw);
      return r.ok ? null : r.error.message;
    };
    expect(bad({ ...base, by: 'nonsense' })).toMatch(
      /^--by: expected one of site\|publisher\|ip\|subnet\|campaign\|region/,
    );
    expect(bad({ ...base, by: "site' OR 1=1" })).toMatch(/^--by:/);
    expect(bad({ ...base, from: "2024-05-01'; DROP TABLE x; --" })).toMatch(/^--from:/);
    expect(bad({ ...base, to: '2024-04-01T00:00:00Z' })).toMatch(/^--to: must be after --from/);
    expect(bad({ ...base, 'min-score': '2' })).toMatch(/^--min-score:/);
    expect(bad({ ...base, limit: '10; DROP' })).toMatch(/^--limit:/);
    expect(bad({ ...base, format: 'xml' })).toMatch(/^--format:/);
    expect(bad({ ...base, version: 'v1; DROP' })).toMatch(/^--version:/);
    expect(bad({ ...base, campaign: 'a\nb' })).toMatch(/^--campaign:/);
    expect(bad({ ...base, sneaky: '1' })).toMatch(/^--sneaky: unknown parameter/);
    expect(bad(base)).toBeNull();
  });

  it('renders hostile text filters as inert literals and identifiers from a fixed map', () => {
    const p = reportParamsSchema.parse({ ...base, campaign: "x' OR 1=1 --", site: 'back\\slash' });
    const q = reportQuery(modelTables('clickfraud', 'v1'), p).text;
    expect(q).toContain("campaign_id = 'x\\' OR 1=1 --'");
    expect(q).toContain("inventory = 'back\\\\slash'");
    expect(q).toContain('FROM clickfraud.click_scores_v1');
    expect(q).toContain('toDateTime(1714521600)');
  });

  it('formats rows as a table, JSON and CSV with quoting', () => {
    const rows = [
      {
        key: 'a,"b"',
        clicks: 3,
        invalid_clicks: 1,
        score: 0.3333,
        avg_click_score: 0.3,
        impressions: 10,
        ctr: 0.3,
        reasons: ['ip_burst'],
      },
    ];
    expect(formatReport(rows, 'csv').split('\n')[1]).toBe(
      '"a,""b""",3,1,0.3333,0.3,10,0.3,ip_burst',
    );
    expect(JSON.parse(formatReport(rows, 'json'))).toEqual(rows);
    expect(formatReport(rows, 'table')).toContain('(1 rows)');
    expect(
      formatReport(
        rows.map((r) => ({ ...r, key: '=cmd()' })),
        'csv',
      ),
    ).toContain("'=cmd()");
  });
});

describe('command-line flags', () => {
  it('parses a replay window and refuses bad values naming the flag', () => {
    const a = parseReplayArgs(
      ['--from', 'earliest', '--to', '2024-05-01T00:00:00Z', '--regions', 'eu,us', '--into', 'v2'],
      false,
    );
    expect(a).toMatchObject({
      fromMs: null,
      toMs: Date.UTC(2024, 4, 1),
      regions: ['eu', 'us'],
      into: 'v2',
      publish: false,
    });
    expect(() => parseReplayArgs(['--from', 'yesterday'], false)).toThrow(/^--from:/);
    expect(() => parseReplayArgs([], false)).toThrow(/^--from: required/);
    expect(() => parseReplayArgs(['--from', 'earliest', '--regions', 'eu,mars'], false)).toThrow(
      /^--regions:/,
    );
    expect(() => parseReplayArgs(['--from', 'earliest', '--into', 'V2; DROP'], false)).toThrow(
      /^--into:/,
    );
    expect(() => parseReplayArgs(['--from', 'earliest', '--bogus'], false)).toThrow(UsageError);
    expect(() => parseScoreArgs(['--from', '2024-05-02', '--to', '2024-05-01'])).toThrow(/^--to:/);
  });
});
