import type { z } from 'zod';
import type { Region } from './regions.js';

/** How a topic is cleaned up: `compact` keeps the latest value per key, `delete` drops old segments. */
export const CleanupPolicy = { compact: 'compact', delete: 'delete' } as const;
export type CleanupPolicy = (typeof CleanupPolicy)[keyof typeof CleanupPolicy];

/**
 * Where MirrorMaker 2 copies a topic: `all` = every other region, `analytics` = only the analytics
 * region (ClickHouse), `none` = stays local.
 */
export const Replication = { all: 'all', analytics: 'analytics', none: 'none' } as const;
export type Replication = (typeof Replication)[keyof typeof Replication];

/** One stream: its name, its single schema and how its messages are keyed. */
export interface TopicDef<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly schema: S;
  /** Message key for a value (partitioning and, for compacted topics, identity). */
  keyOf(value: z.infer<S>): string;
  readonly partitions: number;
  readonly cleanup: CleanupPolicy;
  /** Retention in ms; -1 keeps forever. */
  readonly retentionMs: number;
  readonly replicate: Replication;
  readonly description: string;
}

export type TopicValue<T extends TopicDef> = z.infer<T['schema']>;

export function defineTopic<S extends z.ZodType>(def: TopicDef<S>): TopicDef<S> {
  return Object.freeze(def);
}

/** Name of the replicated copy of `topic` from `source` under MirrorMaker 2's default policy. */
export function remoteTopicName(source: Region, topic: string): string {
  return `${source}.${topic}`;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Pattern that matches a topic and its remote copies (`spend`, `us.spend`), but never cyclic ones (`eu.us.spend`). */
export function topicWithRemotes(topic: string): RegExp {
  return new RegExp(`^(?:[a-z]{2}\\.)?${escapeRe(topic)}$`);
}

/** Logical topic name of a physical one: `us.spend` → `spend`. */
export function logicalTopicName(physical: string): { topic: string; sourceRegion: string | null } {
  const m = /^([a-z]{2})\.(.+)$/.exec(physical);
  if (m?.[1] !== undefined && m[2] !== undefined) return { topic: m[2], sourceRegion: m[1] };
  return { topic: physical, sourceRegion: null };
}

/** The same topic under a namespace prefix (isolated test runs, multi-tenant clusters). */
export function namespaced<S extends z.ZodType>(
  topic: TopicDef<S>,
  namespace: string,
): TopicDef<S> {
  if (namespace === '') return topic;
  return Object.freeze({ ...topic, name: `${namespace}${topic.name}` });
}
