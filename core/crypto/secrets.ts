import argon2 from 'argon2';

// OWASP minimum for argon2id: 19 MiB memory, 2 iterations, 1 lane.
const options = { type: argon2.argon2id, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const;

export interface SecretHasher {
  hash(secret: string): Promise<string>;
  verify(hash: string, secret: string): Promise<boolean>;
  /** spends the same time as a real verify, so unknown accounts cannot be told apart by timing */
  dummyVerify(secret: string): Promise<void>;
}

export function createArgon2Hasher(): SecretHasher {
  let dummy: Promise<string> | undefined;
  return {
    hash: (secret) => argon2.hash(secret, options),
    verify: async (hash, secret) => {
      try {
        return await argon2.verify(hash, secret);
      } catch {
        return false;
      }
    },
    async dummyVerify(secret) {
      dummy ??= argon2.hash('keyturn-timing-equaliser', options);
      await argon2.verify(await dummy, secret).catch(() => false);
    },
  };
}
