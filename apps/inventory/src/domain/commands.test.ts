import { describe, expect, it } from 'vitest';
import { campaignSchema, type Campaign } from '@streambid/contracts';
import {
  createCampaignBody,
  patchCampaignBody,
  replaceCampaignBody,
  type PatchCampaignBody,
} from './bodies.js';
import { changeStatus, createCampaign, updateCampaign, type WriteContext } from './commands.js';

const ctx = (over: Partial<WriteContext> = {}): WriteContext => ({
  region: 'eu',
  now: 1_700_000_000_000,
  eventId: 'e1',
  ...over,
});

/** The body a client sends, before parsing. */
const raw = (): Record<string, unknown> => ({
  advertiser: 'acme',
  creatives: [
    {
      id: 'cr1',
      mediaType: 'video',
      markup: '<VAST version="4.0"></VAST>',
      landingUrl: 'https://acme.example/',
      adomain: ['acme.example'],
      mime: 'video/mp4',
      durationS: 15,
    },
  ],
  bidCpmMicros: 3_000_000,
  budget: { totalMicros: 50_000_000, dailyMicros: 10_000_000 },
  flight: { start: '2025-01-01T00:00:00Z', end: '2025-02-01T00:00:00Z' },
  frequencyCap: { perDay: 3 },
});
const body = createCampaignBody.parse(raw());

function created(): Campaign {
  const r = createCampaign(body, 'c1', undefined, ctx());
  if (!r.ok) throw new Error(r.refusal.message);
  return r.campaign;
}

/** A PATCH of `patch` (parsed as the API parses it) to the campaign {@link created} makes. */
function patchCreated(patch: Record<string, unknown>): ReturnType<typeof updateCampaign> {
  return updateCampaign(created(), 'c1', patchCampaignBody.parse(patch), 'patch', ctx());
}

describe('campaign commands', () => {
  it('creates a version-1 campaign homed in the writing region that the topic schema accepts', () => {
    const c = created();
    expect(c).toMatchObject({ id: 'c1', version: 1, homeRegion: 'eu', status: 'active' });
    expect(c.flight.start).toBe(Date.UTC(2025, 0, 1));
    expect(campaignSchema.safeParse(c).success).toBe(true);
  });

  it('refuses a stale version with the current one', () => {
    const r = patchCreated({ version: 2, name: 'x' });
    expect(r).toMatchObject({
      ok: false,
      refusal: { status: 409, error: 'stale_version', currentVersion: 1 },
    });
  });

  it('refuses writes outside the home region, naming it', () => {
    const r = changeStatus(created(), 'c1', 'pause', undefined, ctx({ region: 'us' }));
    expect(r).toMatchObject({
      ok: false,
      refusal: { status: 409, error: 'wrong_region', homeRegion: 'eu' },
    });
    expect(r.ok ? '' : r.refusal.message).toContain('eu');
  });

  it('patches only the given fields and bumps the version', () => {
    const r = patchCreated({ version: 1, name: 'renamed' });
    expect(r.ok && r.campaign).toMatchObject({
      version: 2,
      name: 'renamed',
      frequencyCap: { perDay: 3 },
      currency: 'USD',
    });
  });

  it('replaces the editable state on PUT, clearing optional fields left out', () => {
    const { frequencyCap: _f, id: _i, status: _s, ...rest } = body;
    const r = updateCampaign(
      created(),
      'c1',
      replaceCampaignBody.parse({ ...rest, version: 1 }),
      'replace',
      ctx(),
    );
    expect(r.ok && r.campaign.frequencyCap).toBeUndefined();
  });

  it('names the field when a merged update breaks the stored schema', () => {
    const r = updateCampaign(
      created(),
      'c1',
      { version: 1, creatives: [] } as PatchCampaignBody,
      'patch',
      ctx(),
    );
    expect(r).toMatchObject({ ok: false, refusal: { status: 400, field: 'creatives' } });
  });

  it('makes archiving final', () => {
    const archived = changeStatus(created(), 'c1', 'archive', 1, ctx());
    if (!archived.ok) throw new Error('archive refused');
    expect(archived.campaign.status).toBe('archived');
    expect(changeStatus(archived.campaign, 'c1', 'resume', undefined, ctx())).toMatchObject({
      ok: false,
      refusal: { status: 409, error: 'archived' },
    });
  });

  it('answers 404 for an unknown campaign and 409 for an id already taken', () => {
    expect(changeStatus(undefined, 'zz', 'pause', undefined, ctx())).toMatchObject({
      ok: false,
      refusal: { status: 404 },
    });
    expect(createCampaign(body, 'c1', created(), ctx())).toMatchObject({
      ok: false,
      refusal: { status: 409, error: 'exists' },
    });
  });

  it('accepts a supply-chain requirement and refuses an unknown one naming the field', () => {
    const made = createCampaign(
      createCampaignBody.parse({ ...raw(), supplyChain: 'direct' }),
      'c3',
      undefined,
      ctx(),
    );
    if (!made.ok) throw new Error(made.refusal.message);
    expect(made.campaign.supplyChain).toBe('direct');
    const bad = createCampaignBody.safeParse({ ...raw(), supplyChain: 'any' });
    expect(bad.error?.issues[0]?.path).toEqual(['supplyChain']);
  });

  it('accepts DSA disclosure, refuses it malformed naming the field, and clears it on replace', () => {
    const dsa = {
      behalf: 'Acme GmbH',
      paid: 'Acme GmbH',
      transparency: [{ domain: 'acme.example' }],
    };
    const withDsa = createCampaign(
      createCampaignBody.parse({ ...raw(), dsa }),
      'c2',
      undefined,
      ctx(),
    );
    if (!withDsa.ok) throw new Error(withDsa.refusal.message);
    expect(withDsa.campaign.dsa).toEqual({
      ...dsa,
      transparency: [{ domain: 'acme.example', dsaparams: [] }],
    });
    const tooLong = createCampaignBody.safeParse({
      ...raw(),
      dsa: { ...dsa, behalf: 'x'.repeat(101) },
    });
    expect(tooLong.success).toBe(false);
    expect(tooLong.error?.issues[0]?.path).toEqual(['dsa', 'behalf']);
    const replaced = updateCampaign(
      withDsa.campaign,
      'c2',
      replaceCampaignBody.parse({ ...raw(), version: 1 }),
      'replace',
      ctx({ eventId: 'e2' }),
    );
    expect(replaced.ok && replaced.campaign.dsa).toBe(undefined);
  });
});
