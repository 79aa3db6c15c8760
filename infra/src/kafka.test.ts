import { describe, expect, it } from 'vitest';
import { clusterId } from './kafka.js';

describe('clusterId', () => {
  it('is 22 URL-safe base64 characters and never starts with "-" (a flag to kafka-storage)', () => {
    // One id in 64 would start with '-' without the guard: 2,000 ids miss it with odds 1e-14.
    const ids = Array.from({ length: 2000 }, clusterId);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});
