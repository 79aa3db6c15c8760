/**
 * Named scenarios of a scenario file (k6's `scenarios`): each has its own traffic mix and an
 * arrival-rate executor, constant or ramping through stages, an optional start time and tags.
 * A run without them is one scenario named `default` at the fixed `rate` for `durationS`.
 */
import { z } from 'zod';
import type { RateProfile } from '@streambid/loadgen';
import type { Region } from '@streambid/contracts';

/** One stage of a ramping executor: the rate moves linearly to `target` req/s over `duration` s. */
const stageSchema = z
  .object({
    duration: z.number().min(0).max(3600),
    target: z.number().min(0).max(100_000),
  })
  .strict();

/** Tag names a scenario may set (`region` and `scenario` are set by the run itself). */
const tagKey = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,31}$/, 'a tag name: lower case, digits, _')
  .refine((k) => k !== 'region' && k !== 'scenario', 'region and scenario are set by the run');

/** One named scenario. Durations and times are in seconds, rates in requests/s per region. */
export const namedScenarioSchema = z
  .object({
    executor: z.enum(['constant-arrival-rate', 'ramping-arrival-rate']),
    /** constant-arrival-rate: the rate and for how long. */
    rate: z.number().positive().max(100_000).optional(),
    duration: z.number().positive().max(3600).optional(),
    /** ramping-arrival-rate: the rate the first stage starts from. @default 0 */
    startRate: z.number().min(0).max(100_000).optional(),
    stages: z.array(stageSchema).min(1).max(100).optional(),
    /** Seconds after the phase starts before this scenario sends. @default 0 */
    startTime: z.number().min(0).max(3600).default(0),
    tags: z.record(tagKey, z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/)).default({}),
    /** The regions it runs in. @default every region of the run */
    regions: z
      .array(z.enum(['eu', 'us', 'ap']))
      .min(1)
      .optional(),
    /** Media of every impression (`mixed`: the generator's own mix, mostly banner). */
    media: z.enum(['banner', 'video', 'native', 'mixed']).default('mixed'),
    /** Site or app requests (`mixed`: 60 % site). */
    channel: z.enum(['site', 'app', 'mixed']).default('mixed'),
    /** `ctv`: app requests from a connected TV (`device.devicetype` 3). */
    device: z.enum(['ctv', 'any']).default('any'),
    /** Share of its visits from labelled bots. @default the file's `botShare` */
    botShare: z.number().min(0).max(1).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const bad = (path: string, message: string): void =>
      void ctx.addIssue({ code: 'custom', path: [path], message });
    if (s.executor === 'constant-arrival-rate') {
      if (s.rate === undefined) bad('rate', 'constant-arrival-rate needs a rate');
      if (s.duration === undefined) bad('duration', 'constant-arrival-rate needs a duration');
      if (s.stages !== undefined) bad('stages', 'stages are for ramping-arrival-rate');
      if (s.startRate !== undefined) bad('startRate', 'startRate is for ramping-arrival-rate');
    } else {
      if (s.stages === undefined) bad('stages', 'ramping-arrival-rate needs stages');
      if (s.rate !== undefined) bad('rate', 'rate is for constant-arrival-rate (use stages)');
      if (s.duration !== undefined) bad('duration', 'a ramp lasts as long as its stages');
      if (s.stages && !s.stages.some((st) => st.duration > 0 && st.target > 0) && !s.startRate)
        bad('stages', 'the stages send nothing (every target 0)');
    }
    if (s.device === 'ctv' && s.channel === 'site') bad('device', 'ctv traffic comes from apps');
    if (s.startTime + activeSeconds(s) > 3600)
      bad('startTime', 'startTime plus the stages may last at most 3600 s');
  });
export type NamedScenario = z.infer<typeof namedScenarioSchema>;

/** Scenario names: also the `scenario` tag's values. */
export const scenarioNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'a scenario name: lower case, digits, _ or -');

/** Seconds a scenario sends for (its start time left out). */
export function activeSeconds(s: Pick<NamedScenario, 'duration' | 'stages'>): number {
  return s.duration ?? (s.stages ?? []).reduce((a, st) => a + st.duration, 0);
}

/** How one scenario's requests are built. */
export interface TrafficMix {
  media: NamedScenario['media'];
  channel: NamedScenario['channel'];
  device: NamedScenario['device'];
  /** Undefined: the region's visit pool in its own order (the default scenario). */
  botShare?: number;
}

/** One scenario as a region runs it. */
export interface ScenarioPlan {
  name: string;
  executor: NamedScenario['executor'];
  tags: Record<string, string>;
  profile: RateProfile;
  /** Requests it sends in all. */
  requests: number;
  /** Seconds from the phase start to its last send. */
  endS: number;
  /** Seconds it sends for. */
  activeS: number;
  mix: TrafficMix;
}

const profileOf = (s: NamedScenario): RateProfile =>
  s.executor === 'constant-arrival-rate'
    ? { offsetS: s.startTime, stages: [{ durationS: s.duration ?? 0, target: s.rate ?? 0 }] }
    : {
        offsetS: s.startTime,
        startRate: s.startRate ?? 0,
        stages: (s.stages ?? []).map((st) => ({ durationS: st.duration, target: st.target })),
      };

/** Requests a profile sends (the area under its rate). */
export function requestsOf(p: RateProfile): number {
  let prev = p.startRate ?? p.stages[0]?.target ?? 0;
  let n = 0;
  for (const st of p.stages) {
    n += ((prev + st.target) / 2) * st.durationS;
    prev = st.target;
  }
  return Math.round(n);
}

/** What `plansFor` needs of a run's scenario. */
export interface PlanSource {
  rate: number;
  durationS: number;
  botShare: number;
  scenarios: Record<string, NamedScenario>;
}

/** The scenarios `region` runs; without named ones, `default` at the fixed rate. */
export function plansFor(sc: PlanSource, region: Region): ScenarioPlan[] {
  const named = Object.entries(sc.scenarios);
  if (named.length === 0) {
    const profile = { stages: [{ durationS: sc.durationS, target: sc.rate }] };
    return [
      {
        name: 'default',
        executor: 'constant-arrival-rate',
        tags: {},
        profile,
        requests: requestsOf(profile),
        endS: sc.durationS,
        activeS: sc.durationS,
        mix: { media: 'mixed', channel: 'mixed', device: 'any' },
      },
    ];
  }
  return named
    .filter(([, s]) => s.regions === undefined || s.regions.includes(region))
    .map(([name, s]) => {
      const profile = profileOf(s);
      const activeS = activeSeconds(s);
      return {
        name,
        executor: s.executor,
        tags: { ...s.tags },
        profile,
        requests: requestsOf(profile),
        endS: s.startTime + activeS,
        activeS,
        mix: {
          media: s.media,
          channel: s.device === 'ctv' ? 'app' : s.channel,
          device: s.device,
          botShare: s.botShare ?? sc.botShare,
        },
      };
    });
}

/** Seconds of a phase that runs these scenarios: until the last one's last send. */
export function phaseSeconds(scenarios: Record<string, NamedScenario>): number {
  return Object.values(scenarios).reduce((a, s) => Math.max(a, s.startTime + activeSeconds(s)), 0);
}

/**
 * The warm-up's version of the named scenarios: each at a constant rate, its mean planned rate,
 * for `durationS`, all at once from the start, so every mix's code paths and connection pools are
 * warm before the stages begin (the mean rather than the peak: a spike's peak is the test).
 */
export function warmupScenarios(
  scenarios: Record<string, NamedScenario>,
  durationS: number,
): Record<string, NamedScenario> {
  return Object.fromEntries(
    Object.entries(scenarios).map(([name, s]) => {
      const mean = requestsOf(profileOf(s)) / Math.max(1, activeSeconds(s));
      const warm: NamedScenario = {
        executor: 'constant-arrival-rate',
        rate: Math.max(1, Math.round(mean)),
        duration: durationS,
        startTime: 0,
        tags: s.tags,
        media: s.media,
        channel: s.channel,
        device: s.device,
        ...(s.regions ? { regions: s.regions } : {}),
        ...(s.botShare === undefined ? {} : { botShare: s.botShare }),
      };
      return [name, warm];
    }),
  );
}
