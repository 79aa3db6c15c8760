import type { ProfileLookup, ProfileReader } from '@streambid/profiles';

export type LookupResult = ProfileLookup['kind'] | 'timeout' | 'error';

/**
 * One profile read bounded by a deadline. Resolves `undefined` (profile unavailable) on timeout or
 * a Redis error, so the campaigns that need it are skipped and the rest still bid.
 */
export function lookupProfile(
  reader: ProfileReader,
  userId: string,
  timeoutMs: number,
  now: number,
  onResult: (r: LookupResult) => void,
): Promise<ProfileLookup | undefined> {
  return new Promise((resolve) => {
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      onResult('timeout');
      resolve(undefined);
    }, timeoutMs);
    reader.get(userId, now).then(
      (r) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        onResult(r.kind);
        resolve(r);
      },
      () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        onResult('error');
        resolve(undefined);
      },
    );
  });
}
