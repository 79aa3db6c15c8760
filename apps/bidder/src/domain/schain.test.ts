import { describe, expect, it } from 'vitest';
import { LIMITS, parseBidRequest, type Source } from '@streambid/contracts';
import { assessSupplyChain, ChainStatus } from './schain.js';
import { SellersDirectory } from './sellers.js';

const node = (asi: string, sid: string, hp = 1) => ({ asi, sid, hp });

/** The source as the edge hands it over (2.6 members validated, `ext` untouched). */
function source(s: unknown): Source | undefined {
  const r = parseBidRequest(JSON.stringify({ id: 'r', imp: [{ id: '1' }], source: s }));
  if (!r.ok) throw new Error(r.error);
  return r.value.source;
}

const sellers = new SellersDirectory();
sellers.load('SSP.example', {
  sellers: [
    { seller_id: 'pub-1', seller_type: 'PUBLISHER' },
    { seller_id: 'reseller-1', seller_type: 'INTERMEDIARY' },
  ],
});

describe('supply chain', () => {
  it('grades 2.6 chains: absent, incomplete, complete, direct', () => {
    expect(assessSupplyChain(undefined, undefined)).toBe(ChainStatus.absent);
    expect(assessSupplyChain(source({ tid: 't' }), undefined)).toBe(ChainStatus.absent);
    const one = [node('ssp.example', 'pub-1')];
    const two = [node('ssp.example', 'reseller-1'), node('other.example', 'x')];
    expect(
      assessSupplyChain(source({ schain: { complete: 0, ver: '1.0', nodes: one } }), undefined),
    ).toBe(ChainStatus.incomplete);
    expect(
      assessSupplyChain(source({ schain: { complete: 1, ver: '1.0', nodes: two } }), undefined),
    ).toBe(ChainStatus.complete);
    expect(
      assessSupplyChain(source({ schain: { complete: 1, ver: '1.0', nodes: one } }), undefined),
    ).toBe(ChainStatus.direct);
  });

  it('reads the 2.5 chain from source.ext and checks it as untrusted', () => {
    const ok = { schain: { complete: 1, ver: '1.0', nodes: [node('ssp.example', 'pub-1')] } };
    expect(assessSupplyChain(source({ ext: ok }), undefined)).toBe(ChainStatus.direct);
    for (const bad of [
      'x',
      [],
      { complete: 2, nodes: [node('a', 'b')] },
      { complete: 1, nodes: [] },
      { complete: 1, nodes: [{ asi: 'a.example', hp: 1 }] },
      { complete: 1, nodes: [{ sid: '1', hp: 1 }] },
      { complete: 1, nodes: [{ asi: '', sid: '1', hp: 1 }] },
      { complete: 1, nodes: [{ asi: 'a', sid: 1, hp: 1 }] },
      { complete: 1, nodes: [{ asi: 'a', sid: '1', hp: 'yes' }] },
      { complete: 1, nodes: [null] },
      { complete: 1, nodes: { length: 1, 0: node('a', 'b') } },
      { complete: 1, nodes: [node('a'.repeat(LIMITS.domain + 1), 'b')] },
    ])
      expect(
        assessSupplyChain(source({ ext: { schain: bad } }), undefined),
        JSON.stringify(bad),
      ).toBe(ChainStatus.invalid);
  });

  it('counts a 2.6 chain whose nodes the edge dropped (a node without asi or sid) as invalid', () => {
    const s = source({ schain: { complete: 1, ver: '1.0', nodes: [{ asi: 'a.example', hp: 1 }] } });
    expect(s?.schain?.nodes).toBeUndefined();
    expect(assessSupplyChain(s, undefined)).toBe(ChainStatus.invalid);
  });

  it('refuses more nodes than the limits table allows', () => {
    const nodes = Array.from({ length: LIMITS.schainNodes + 1 }, (_, i) =>
      node('a.example', String(i)),
    );
    expect(
      assessSupplyChain(source({ schain: { complete: 1, ver: '1.0', nodes } }), undefined),
    ).toBe(ChainStatus.invalid);
    expect(assessSupplyChain(source({ ext: { schain: { complete: 1, nodes } } }), undefined)).toBe(
      ChainStatus.invalid,
    );
    const most = nodes.slice(0, LIMITS.schainNodes);
    expect(
      assessSupplyChain(source({ schain: { complete: 1, ver: '1.0', nodes: most } }), undefined),
    ).toBe(ChainStatus.complete);
  });

  it('checks sellers against the sellers list of their ad system, whatever its spelling', () => {
    const chain = (nodes: unknown[]) => source({ schain: { complete: 1, ver: '1.0', nodes } });
    expect(assessSupplyChain(chain([node('ssp.example.', 'pub-1')]), sellers)).toBe(
      ChainStatus.direct,
    );
    expect(assessSupplyChain(chain([node('ssp.example', 'pub-9')]), sellers)).toBe(
      ChainStatus.unknownSeller,
    );
    expect(assessSupplyChain(chain([node('ssp.example', '__proto__')]), sellers)).toBe(
      ChainStatus.unknownSeller,
    );
    // An intermediary as the only node is not a direct seller.
    expect(assessSupplyChain(chain([node('ssp.example', 'reseller-1')]), sellers)).toBe(
      ChainStatus.complete,
    );
    // Ad systems without a list are not checked.
    expect(assessSupplyChain(chain([node('other.example', 'x')]), sellers)).toBe(
      ChainStatus.direct,
    );
  });
});
