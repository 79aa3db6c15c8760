import type { Publisher } from '@streambid/adapters';
import type { Campaign, Catalogue } from '@streambid/contracts';
import type { CampaignView } from '../domain/campaign-view.js';
import type { CommandResult } from '../domain/commands.js';

/**
 * Writes campaigns to the compacted `campaigns` topic, the source of truth. A write answers only
 * once the broker acknowledged it (acks=all) and the view shows it (read-your-writes). Writes to
 * one campaign are serialised so the version check and the write cannot interleave; this assumes
 * one inventory process per region writes a region's campaigns.
 */
export class CampaignStore {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly publisher: Publisher,
    private readonly topics: Catalogue,
    private readonly view: CampaignView,
    private readonly visibleTimeoutMs: number,
  ) {}

  /** Runs `decide` on the current value and, when it accepts, writes and waits for visibility. */
  write(
    id: string,
    decide: (current: Campaign | undefined) => CommandResult,
  ): Promise<CommandResult> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    const run = prev.then(async (): Promise<CommandResult> => {
      const result = decide(this.view.get(id));
      if (!result.ok) return result;
      await this.publisher.publish(this.topics.campaigns, [result.campaign]);
      const visible = await this.view.waitForVersion(
        id,
        result.campaign.version,
        this.visibleTimeoutMs,
      );
      return { ok: true, campaign: visible };
    });
    const tail = run.catch(() => undefined);
    this.locks.set(id, tail);
    void tail.then(() => {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    });
    return run;
  }
}
